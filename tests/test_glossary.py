"""The glossary of abbreviations: the report lists what its text uses and nothing it lacks."""

import pytest

from analysis.engine import glossary


@pytest.fixture
def terms(tmp_path):
    path = tmp_path / "glossary.csv"
    path.write_text(
        "abbreviation,expansion_en,expansion_ru\nMTSOM,Ministry of Labour,Министерство труда\n"
        "SBS-2026,State Border Service,Пограничная служба\nКР,Kyrgyz Republic,Кыргызская Республика\n",
        encoding="utf-8",
    )
    return glossary.load(path)


def test_used_and_undefined_acronyms(terms):
    text = "The MTSOM and SBS-2026 apply the rules of the КР; the DRAFT mentions the GKNB-BS and G01-REG-DEADLINE."
    assert [e.abbreviation for e in terms.used_in(text)] == ["MTSOM", "SBS-2026", "КР"]
    # ids with digits in their first part (inventory ids) and emphasis words are not acronyms
    assert terms.undefined(text) == ["GKNB-BS"]
    assert terms.entries["КР"].meaning("ru") == "Кыргызская Республика"


def test_a_glossary_row_without_meaning_is_an_input_error(tmp_path):
    path = tmp_path / "glossary.csv"
    path.write_text("abbreviation,expansion_en,expansion_ru\nMFA,,\n", encoding="utf-8")
    with pytest.raises(glossary.InputError, match="row 2, column 'expansion_en'"):
        glossary.load(path)


def test_the_corridors_glossary_loads():
    assert "MTSOM" in glossary.load().entries


def test_quoted_words_and_acronyms_spelled_out_where_used_need_no_entry(terms):
    text = (
        "The Kyrgyz State Medical Academy (KSMA) writes; the source's title “ПОДПИСАН: ОВД РК” and «АИС» are "
        "its own words; document CMW/C/KGZ/CO/2 and Decree No. PF-162 are numbers; the NGO is not defined."
    )
    assert terms.undefined(text) == ["NGO"]
