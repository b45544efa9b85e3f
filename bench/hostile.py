"""Generated documents that once hung search or exhausted memory (issue 12), for
``bench/run_bounded.py`` and the tests.

* :func:`big_item_text` — one agenda item of ``sentences`` sentences that all mention CCTV
  (200,000 sentences ≈ 10 MB: an agenda pack that segments as one item; camera numbers
  repeat every 997 sentences, so the vocabulary is a real document's, not 200,000 numbers);
* :func:`numbered_lines_text` — a text dump of ``lines`` numbered lines, each a one-line
  item (400,000 lines ≈ 35 MB), numbers running past 99,999;
* :func:`write_pdf` — a ``pages``-page PDF of minutes, a few numbered items per page.
"""

from __future__ import annotations

from pathlib import Path

HEADER = "Anytown Borough Council\nMinutes of the Licensing Committee held on 5 May 2021\n\n"


def big_item_text(sentences: int, per_paragraph: int = 40) -> str:
    """Minutes with one item whose body is ``sentences`` sentences mentioning CCTV."""
    parts = [HEADER, "1. Town centre CCTV review\n\n"]
    for start in range(0, sentences, per_paragraph):
        end = min(start + per_paragraph, sentences)
        parts.append(
            " ".join(
                f"Camera {n % 997} on ward {n % 97} kept the CCTV footage for {n % 31 + 1} days."
                for n in range(start, end)
            )
        )
        parts.append("\n\n")
    return "".join(parts)


def numbered_lines_text(lines: int) -> str:
    """Minutes whose ``lines`` lines are each a numbered item ("123456. Parking permits …")."""
    rows = (
        f"{n}. Parking permit application {n} for Station Road considered and approved.\n"
        for n in range(1, lines + 1)
    )
    return HEADER + "".join(rows)


def write_pdf(path: Path, pages: int, items_per_page: int = 3) -> Path:
    """Write a ``pages``-page PDF of minutes (numbered bold items with a paragraph each)."""
    from reportlab.pdfgen import canvas as canvas_mod

    canvas = canvas_mod.Canvas(str(path), pagesize=(595, 842))
    number = 0
    for page in range(1, pages + 1):
        y = 780
        if page == 1:
            canvas.setFont("Helvetica-Bold", 13)
            canvas.drawString(72, y, "Anytown Borough Council")
            canvas.drawString(72, y - 18, "Minutes of the Planning Committee held on 5 May 2021")
            y -= 50
        for _ in range(items_per_page):
            number += 1
            canvas.setFont("Helvetica-Bold", 11)
            canvas.drawString(72, y, f"{number}. Planning application {number}")
            canvas.setFont("Helvetica", 11)
            for line in range(6):
                y -= 16
                canvas.drawString(
                    72, y, f"The committee considered application {number} line {line} and the"
                )
            y -= 30
        canvas.drawString(280, 30, f"Page {page} of {pages}")
        canvas.showPage()
    canvas.save()
    return path
