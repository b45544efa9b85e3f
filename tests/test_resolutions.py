"""Resolution extraction on real decision lines copied from the seed and the corpus."""

from __future__ import annotations

import pytest

from indexer.resolutions import extract_resolutions, join_broken_paragraphs, sentence_end

# (paragraphs as printed, expected [(kind, label, proposer, seconder, text)])
CASES = [
    pytest.param(
        ["Resolved: An apology for absence from the meeting was received from Councillor Moles."],
        [("resolved", None, None, None,
          "An apology for absence from the meeting was received from Councillor Moles.")],
        id="luton-resolved-colon",
    ),
    pytest.param(
        ["Resolved: (i) That the comments made by the Chair of the Community Safety Partnership "
         "be noted;",
         "(ii) That the work of the CSP, Partner Organisations and those who carry out the work "
         "in their communities to ensure Luton as a safe place to live, be commended for their "
         "hard work."],
        [("resolved", "(i)", None, None,
          "That the comments made by the Chair of the Community Safety Partnership be noted;"),
         ("resolved", "(ii)", None, None,
          "That the work of the CSP, Partner Organisations and those who carry out the work in "
          "their communities to ensure Luton as a safe place to live, be commended for their "
          "hard work.")],
        id="luton-labelled-i-ii",
    ),
    pytest.param(
        ["Resolved: (i) That the report (Ref:9) regarding Exploitation update be noted. (ii) That "
         "the Community Safety Partnership (CSP) Business Plan be supported by the Crime and "
         "Disorder Committee."],
        [("resolved", "(i)", None, None,
          "That the report (Ref:9) regarding Exploitation update be noted."),
         ("resolved", "(ii)", None, None,
          "That the Community Safety Partnership (CSP) Business Plan be supported by the Crime "
          "and Disorder Committee.")],
        id="luton-labelled-inline",
    ),
    pytest.param(
        ["Resolved: That the report (Ref: 8) on the progress of the",
         "recommendations made from the Crime & Disorder Committee held on 27th February 2017 "
         "be noted."],
        [("resolved", None, None, None,
          "That the report (Ref: 8) on the progress of the recommendations made from the Crime "
          "& Disorder Committee held on 27th February 2017 be noted.")],
        id="luton-across-page-break",
    ),
    pytest.param(
        ["Resolved that we do not apply."],
        [("resolved", None, None, None, "Resolved that we do not apply.")],
        id="stokeferry-resolved-that",
    ),
    pytest.param(
        ["Agreed to give Tintern Church Festival a donation of £500 for the February Festival "
         "in this year’s budget."],
        [("agreed", None, None, None,
          "Agreed to give Tintern Church Festival a donation of £500 for the February Festival "
          "in this year’s budget.")],
        id="wyevalley-agreed-to",
    ),
    pytest.param(
        ["It was proposed by Mrs. Cann, seconded by Mrs. Berry and unanimously agreed that the "
         "precept for 2005/2006 should be £1700. 00."],
        [("agreed", None, "Mrs. Cann", "Mrs. Berry",
          "It was proposed by Mrs. Cann, seconded by Mrs. Berry and unanimously agreed that the "
          "precept for 2005/2006 should be £1700. 00.")],
        id="wereham-proposed-seconded",
    ),
    pytest.param(
        ["It was proposed by R Wood and seconded by G. Cann that a precept of £1500.00 be set "
         "for the year 2003/2004 - unanimously agreed."],
        [("agreed", None, "R Wood", "G. Cann",
          "It was proposed by R Wood and seconded by G. Cann that a precept of £1500.00 be set "
          "for the year 2003/2004 - unanimously agreed.")],
        id="westdereham-proposed-and-seconded",
    ),
    pytest.param(
        ["It was proposed by Cllr. P. Harries, seconded by Cllr. J. Davies and unanimously "
         "agreed that the minutes of the last meeting held on the 11th December 2019 as typed "
         "and circulated were correct."],
        [("agreed", None, "Cllr. P. Harries", "Cllr. J. Davies",
          "It was proposed by Cllr. P. Harries, seconded by Cllr. J. Davies and unanimously "
          "agreed that the minutes of the last meeting held on the 11th December 2019 as typed "
          "and circulated were correct.")],
        id="mscc-proposed-initials",
    ),
    pytest.param(
        ["Proposed by Councillor Collins (M);", "Seconded by Councillor Ryan;", "And Resolved:",
         "“That, the draft Minutes, as circulated, be taken as read and adopted and signed.”"],
        [("resolved", None, "Councillor Collins (M)", "Councillor Ryan",
          "“That, the draft Minutes, as circulated, be taken as read and adopted and signed.”")],
        id="limerick-and-resolved",
    ),
    pytest.param(
        ["Cynigiwyd gan y Cyng. W. Loynton, eiliwyd gan y Cyng. G. Evans ac roedd pawb yn "
         "unfrydol bod cofnodion y cyfarfod diwethaf a gynhaliwyd ar y 12fed Chwefror 2020 fel "
         "ag y maent wedi’u teipio a’u dosbarthu yn gywir."],
        [("agreed", None, "Cyng. W. Loynton", "Cyng. G. Evans",
          "Cynigiwyd gan y Cyng. W. Loynton, eiliwyd gan y Cyng. G. Evans ac roedd pawb yn "
          "unfrydol bod cofnodion y cyfarfod diwethaf a gynhaliwyd ar y 12fed Chwefror 2020 fel "
          "ag y maent wedi’u teipio a’u dosbarthu yn gywir.")],
        id="mscc-welsh-cynigiwyd",
    ),
    pytest.param(
        ["Members Declaration of Interest (items on the agenda) – LGA 2000 Part III: Cllr. "
         "Adrian Jenkinson declared an interest in Item 10. Resolved 16/02/13.01 That the Bank "
         "balances and reconciliation of payments & receipts be received and adopted."],
        [("resolved", "16/02/13.01", None, None,
          "That the Bank balances and reconciliation of payments & receipts be received and "
          "adopted.")],
        id="northwold-resolved-minute-ref",
    ),
    pytest.param(
        ["The minutes of the meeting were approved, proposed by Cllr M Peake and seconded by "
         "Cllr Briston"],
        [("agreed", None, "Cllr M Peake", "Cllr Briston",
          "The minutes of the meeting were approved, proposed by Cllr M Peake and seconded by "
          "Cllr Briston")],
        id="northwold-proposed-mid-sentence",
    ),
    pytest.param(
        ["Cllrs agreed with the proposed budget of £32,510.   Clerk submit this to MCC."],
        [],
        id="wyevalley-prose-not-a-resolution",
    ),
    pytest.param(
        ["**Recommendation 1 - Recognise the significant amount of work taking place across "
         "the agencies in particular – the contribution of local charities and community "
         "groups.**"],
        [],
        id="luton-recommendation-heading-not-a-resolution",
    ),
    pytest.param(
        ["Resolution No. R2024-057", "Moved by Councillor Dubois", "Seconded by Councillor Singh",
         "THAT the agenda for February 13, 2024 be adopted as presented.", "CARRIED"],
        [("resolved", "R2024-057", "Councillor Dubois", "Councillor Singh",
          "THAT the agenda for February 13, 2024 be adopted as presented.")],
        id="township-motion-one-line-each",
    ),
    pytest.param(
        ["Resolution 2024-031", "Moved by: Councillor Kerr", "Seconded by: Deputy Mayor Roy",
         "THAT the correspondence be received for information. Carried."],
        [("resolved", "2024-031", "Councillor Kerr", "Deputy Mayor Roy",
          "THAT the correspondence be received for information.")],
        id="township-motion-labels-with-colons",
    ),
    pytest.param(
        ["Moved by Councillor Grant, Seconded by Councillor Brooks",
         "THAT the agenda be adopted. Carried."],
        [("resolved", None, "Councillor Grant", "Councillor Brooks",
          "THAT the agenda be adopted.")],
        id="township-moved-and-seconded-in-one-line",
    ),
    pytest.param(
        ["THAT the report be received."],
        [],
        id="that-without-a-motion-is-not-a-resolution",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("paragraphs", "expected"), CASES)
def test_extract_resolutions(paragraphs: list[str], expected: list[tuple]) -> None:
    got = [
        (r.kind, r.label, r.proposer, r.seconder, r.text) for r in extract_resolutions(paragraphs)
    ]
    assert got == expected


def test_join_broken_paragraphs_only_joins_lowercase_continuations() -> None:
    paras = ["That the report on the progress of the", "recommendations be noted.", "Next item."]
    assert join_broken_paragraphs(paras) == [
        "That the report on the progress of the recommendations be noted.",
        "Next item.",
    ]


def test_sentence_end_skips_titles_and_initials() -> None:
    text = "Proposed by Cllr. P. Harries. Carried."
    assert text[: sentence_end(text)] == "Proposed by Cllr. P. Harries."
