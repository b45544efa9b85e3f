"""A fake ModernGov site on 127.0.0.1 for the harvest tests, and generated web-service XML.

:class:`FakeModernGov` serves ``mgWebService.asmx`` answers (and minutes documents) from a
table, with ETags and 304s like a real server, a log of every request, and faults that can
be queued per URL: a status (500, 429 with Retry-After), a slow answer (timeout), a body cut
short, an HTML error page served as a PDF.  The XML shapes follow real answers (see
``../shared/moderngov-samples/committees.xml``, ``meetings.xml`` and
``../shared/corpus/moderngov-lgsf/``).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SERVICE = "/mgWebService.asmx"


def _key(path_query: str) -> tuple[str, frozenset[tuple[str, str]]]:
    parts = urlsplit(path_query)
    return parts.path, frozenset((k.lower(), v) for k, v in parse_qsl(parts.query))


@dataclass
class Fault:
    """One misbehaviour served instead of (or before) the real answer."""

    kind: str  # status | slow | truncate | html | drop
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class FakeModernGov:
    """Routes, faults and a request log behind a ThreadingHTTPServer on a free port."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, frozenset[tuple[str, str]]], tuple[bytes, str]] = {}
        self.faults: dict[tuple[str, frozenset[tuple[str, str]]], list[Fault]] = {}
        self.log: list[tuple[str, int, dict[str, str]]] = []  # as answered
        self.arrived: list[str] = []  # as asked (before any slow answer)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeModernGov:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, path_query: str, body: bytes, content_type: str = "text/xml; charset=utf-8"):
        self.routes[_key(path_query)] = (body, content_type)

    def fault(self, path_query: str, *faults: Fault) -> None:
        self.faults.setdefault(_key(path_query), []).extend(faults)

    def requests(self, status: int | None = None) -> list[str]:
        with self._lock:
            return [p for p, s, _h in self.log if status is None or s == status]

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        key = _key(h.path)
        with self._lock:
            self.arrived.append(h.path)
            queued = self.faults.get(key)
            fault = queued.pop(0) if queued else None
        route = self.routes.get(key)
        status = 404 if route is None else 200
        body, ctype = route if route is not None else (b"<html>not found</html>", "text/html")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "drop":
            self._record(h, 0)
            h.close_connection = True
            h.connection.close()
            return
        if fault is not None and fault.kind == "status":
            status, body, ctype = fault.status, b"<html><title>Busy</title></html>", "text/html"
        elif fault is not None and fault.kind == "truncate":
            body = body[: len(body) // 2]
        elif fault is not None and fault.kind == "html":
            body = b"<!DOCTYPE html><html><head><title>Runtime Error</title></head></html>"
        elif status == 200 and h.headers.get("If-None-Match") == etag:
            self._record(h, 304)
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        self._record(h, status)
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        if status == 200 and fault is None:
            h.send_header("ETag", etag)
        for name, value in (fault.headers if fault is not None else {}).items():
            h.send_header(name, value)
        h.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
            h.wfile.write(body)

    def _record(self, h: BaseHTTPRequestHandler, status: int) -> None:
        with self._lock:
            self.log.append((h.path, status, dict(h.headers)))


# --------------------------------------------------------------------------- generated XML


def committees_xml(committees: list[tuple[str, str, bool]]) -> bytes:
    """A GetCommittees answer: (id, title, deleted) per committee."""
    rows = "".join(
        f"  <committee>\n    <committeeid>{cid}</committeeid>\n"
        f"    <committeetitle>{html.escape(title)}</committeetitle>\n"
        f"    <committeedeleted>{deleted}</committeedeleted>\n"
        "    <committeeexpired>False</committeeexpired>\n"
        "    <committeecategory>Scrutiny</committeecategory>\n  </committee>\n"
        for cid, title, deleted in committees
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<committees>\n'
        f"  <committeescount> {len(committees)}</committeescount>\n{rows}</committees>\n"
    ).encode()


def meetings_xml(cid: str, title: str, meetings: list[tuple[str, str, str]]) -> bytes:
    """A GetMeetings answer for one committee: (id, dd/mm/yyyy, status) per meeting."""
    rows = "".join(
        f"      <meeting>\n        <meetingid>{mid}</meetingid>\n"
        f"        <meetingdate>{day}</meetingdate>\n"
        f"        <meetingstatus>{status}</meetingstatus>\n"
        "        <meetingtime>6.00 pm</meetingtime>\n        <iswebcast>False</iswebcast>\n"
        "      </meeting>\n"
        for mid, day, status in meetings
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<getmeetings>\n'
        f"  <meetingscount> {len(meetings)}</meetingscount>\n"
        "  <committeescount> 1</committeescount>\n"
        f"  <committee>\n    <committeeid>{cid}</committeeid>\n"
        f"    <committeetitle>{html.escape(title)}</committeetitle>\n"
        f"    <committeemeetingcount> {len(meetings)}</committeemeetingcount>\n"
        f"    <committeemeetings>\n{rows}    </committeemeetings>\n  </committee>\n</getmeetings>\n"
    ).encode()


def _links(links: list[tuple[str, str]]) -> str:
    docs = "".join(
        f"        <linkeddoc>\n          <title>{html.escape(t)}</title>\n"
        f"          <isurl>False</isurl>\n          <url>{html.escape(u)}</url>\n"
        "          <isrestricted>False</isrestricted>\n        </linkeddoc>\n"
        for t, u in links
    )
    return f"      <linkeddocuments>\n{docs}      </linkeddocuments>\n"


def meeting_xml(
    mid: str,
    day: str,
    committee: str,
    items: list[tuple[str, str, str]],
    *,
    status: str = "Confirmed",
    published: bool = True,
    item_links: dict[str, list[tuple[str, str]]] | None = None,
    links: list[tuple[str, str]] | None = None,
) -> bytes:
    """A GetMeeting answer: (number, title, minutes text) per agenda item (empty text: the
    item has no minutes yet); ``item_links`` by item number; ``links`` on the meeting."""
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<meeting>\n')
    out.write(f"  <meetingid>{mid}</meetingid>\n  <meetingdate>{day}</meetingdate>\n")
    out.write(f"  <meetingstatus>{status}</meetingstatus>\n  <meetingtime>6.00 pm</meetingtime>\n")
    out.write("  <meetinglocation>Council Chamber, Town Hall</meetinglocation>\n")
    out.write(f"  <minutepublished>{published}</minutepublished>\n  <agendaitems>\n")
    for number, title, text in items:
        body = html.escape(f"<p>{html.escape(text)}</p>") if text else ""
        out.write("    <agendaitem>\n")
        out.write(f"      <agendaitemtitle>{html.escape(title)}</agendaitemtitle>\n")
        out.write(f"      <agendaitemnumber>{number}</agendaitemnumber>\n")
        out.write(f"      <fulldisplaynumberformat>{number}.</fulldisplaynumberformat>\n")
        out.write(f"      <minutesnonemptyhtmlbody>{body}</minutesnonemptyhtmlbody>\n")
        out.write(f"      <minutesitemnumber>{number if text else ''}</minutesitemnumber>\n")
        out.write(f"      <refertocommittee>{html.escape(committee)}</refertocommittee>\n")
        out.write(_links((item_links or {}).get(number, [])))
        out.write("    </agendaitem>\n")
    out.write("  </agendaitems>\n")
    if links:
        out.write(_links(links))
    out.write("</meeting>\n")
    return out.getvalue().encode()


def minutes_pdf(committee: str, day: str, items: list[tuple[str, str, str]]) -> bytes:
    """A minutes PDF (reportlab): heading, date line, then numbered items in bold with
    their text."""
    from reportlab.pdfgen import canvas as canvas_mod

    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, 842))
    y = 780
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(72, y, committee)
    y -= 24
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, y, f"Minutes of the meeting held on {day} at 6.00 pm")
    y -= 30
    for number, title, text in items:
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(72, y, f"{number}. {title}")
        y -= 18
        canvas.setFont("Helvetica", 11)
        canvas.drawString(72, y, text)
        y -= 30
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def minutes_docx(committee: str, day: str, items: list[tuple[str, str, str]]) -> bytes:
    """A minutes Word file (python-docx): heading, date line, bold numbered items."""
    import docx

    document = docx.Document()
    document.add_heading(committee, level=1)
    document.add_paragraph(f"Minutes of the meeting held on {day} at 6.00 pm")
    for number, title, text in items:
        document.add_paragraph().add_run(f"{number}. {title}").bold = True
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- a demo site

WS = "/mgWebService.asmx"
RANGE = "sFromDate=01/01/2026&sToDate=31/12/2026"
CRIME = "Crime and Disorder Committee"
CCTV_ITEMS = [
    ("1", "Apologies for absence", "Apologies were received from Councillor Ann Smith."),
    ("2", "CCTV in the town centre", "The Committee discussed CCTV cameras on the High Street."),
]
PDF_ITEMS = [
    ("1", "Declarations of interest", "There were no declarations of interest."),
    ("2", "Knife crime update", "The Committee noted the report on knife crime in the borough."),
]


def meeting_path(mid: str) -> str:
    return f"{WS}/GetMeeting?lMeetingId={mid}"


def demo_site() -> FakeModernGov:
    """A started site with committees 10 (Crime and Disorder: meeting 101 with minutes in the
    XML, 102 with minutes only in a linked PDF, 103 not published yet), 11 (Licensing: 201
    cancelled) and 12 (deleted), for meetings listed between 1/1/2026 and 31/12/2026."""
    s = FakeModernGov().start()
    s.add(
        f"{WS}/GetCommittees?lDays=0",
        committees_xml(
            [("10", CRIME, False), ("11", "Licensing Committee", False), ("12", "Old Panel", True)]
        ),
    )
    s.add(
        f"{WS}/GetMeetings?lCommitteeId=10&{RANGE}",
        meetings_xml(
            "10",
            CRIME,
            [
                ("101", "10/03/2026", "Confirmed"),
                ("102", "14/04/2026", "Confirmed"),
                ("103", "12/05/2026", "Confirmed"),
            ],
        ),
    )
    s.add(
        f"{WS}/GetMeetings?lCommitteeId=11&{RANGE}",
        meetings_xml("11", "Licensing Committee", [("201", "20/03/2026", "Cancelled")]),
    )
    s.add(meeting_path("101"), meeting_xml("101", "10/03/2026", CRIME, CCTV_ITEMS))
    pdf_url = f"{s.url}/mgConvert2PDF.aspx?ID=9102"
    s.add(
        meeting_path("102"),
        meeting_xml(
            "102",
            "14/04/2026",
            CRIME,
            [("1", "Minutes of the previous meeting", ""), ("2", "Knife crime update", "")],
            item_links={"1": [("Minutes 10 Mar 2026 Crime and Disorder", f"{s.url}/wrong.pdf")]},
            links=[("Printed minutes 14th-Apr-2026 18.00 Crime and Disorder Committee", pdf_url)],
        ),
    )
    s.add(
        "/mgConvert2PDF.aspx?ID=9102",
        minutes_pdf(CRIME, "14 April 2026", PDF_ITEMS),
        "application/pdf",
    )
    s.add(
        meeting_path("103"),
        meeting_xml("103", "12/05/2026", CRIME, [("1", "Apologies", "")], published=False),
    )
    s.add(
        meeting_path("201"),
        meeting_xml("201", "20/03/2026", "Licensing Committee", [], status="Cancelled"),
    )
    return s
