"""indexer.language: English or Welsh from the text's own function words."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.language import detect_language
from indexer.read import read_file

FIXTURES = Path(__file__).parent / "fixtures" / "identity"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Cynhaliwyd cyfarfod o'r Cyngor am 7.30pm ar yr 11eg Mawrth. Roedd y Clerc yn bresennol "
         "ac fe gytunwyd bod y cofnodion yn gywir.", "cy"),
        ("The council held its meeting at 7.30pm on 11th March; the Clerk was present.", "en"),
        # a bilingual heading in an English text stays English
        ("Cyngor Cymuned Manordeilo a Salem Community Council. The minutes of the last meeting "
         "were agreed and signed by the Chair; the Clerk reported on the accounts.", "en"),
        ("", "en"),
        ("2019 £250 12/03", "en"),
    ],
)  # fmt: skip
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_welsh_fixture_file_is_welsh_and_its_english_copy_english() -> None:
    welsh = read_file(FIXTURES / "welsh-2020-03-11.txt")
    english = read_file(FIXTURES / "copy-2020-03-11.txt")
    assert detect_language(" ".join(b.text for b in welsh.blocks)) == "cy"
    assert detect_language(" ".join(b.text for b in english.blocks)) == "en"
