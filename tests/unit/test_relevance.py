"""Text relevance across scripts: clusters, stopwords, topics, mentions."""

from __future__ import annotations

from shared.matching.relevance import analyse, clusters, cosine, mentions, normalise, shared_terms


def test_clusters_keep_marks_and_stacked_consonants_with_their_base():
    # Khmer: ស + ្ត (coeng + ta) + ្រ + ី is one cluster; Thai: ที่ keeps its vowel and tone.
    assert clusters("ស្ត្រី") == ["ស្ត្រី"]
    assert clusters("ที่ดิน") == ["ที่", "ดิ", "น"]
    assert clusters("ကျောင်း")[0].startswith("ကျ")


def test_same_thai_topic_is_similar_and_different_topic_is_not():
    land = analyse("ความช่วยเหลือทางกฎหมายแก่แรงงานข้ามชาติ")
    same = analyse("ทุนสนับสนุนสิทธิแรงงานข้ามชาติและความช่วยเหลือทางกฎหมาย")
    other = analyse("โครงการปลูกป่าชายเลนของชุมชน")
    assert cosine(land, same) > 0.3
    assert cosine(land, other) == 0


def test_grammar_words_alone_do_not_make_texts_alike():
    assert cosine(analyse("the project of the community and the support"), analyse("the")) == 0
    assert cosine(analyse("และของที่ในเพื่อ"), analyse("และของที่ในเพื่อ")) == 0


def test_topics_meet_across_languages_and_scripts():
    english = analyse("Digital security training for journalists")
    khmer = analyse("សុវត្ថិភាពឌីជីថលសម្រាប់អ្នកសារព័ត៌មាន")
    lao = analyse("ຄວາມປອດໄພດິຈິຕອນ ສຳລັບນັກຂ່າວ")
    vietnamese = analyse("An toàn số cho nhà báo")
    for view in (english, khmer, lao, vietnamese):
        assert {"digital-security", "media-freedom"} <= view.topics


def test_burmese_spacing_and_zero_width_spaces_do_not_hide_a_topic():
    assert "digital-security" in analyse("ဒစ်ဂျစ်တယ် လုံခြုံရေး").topics
    assert "human-rights" in analyse("សិទ្ធិ\u200bមនុស្ស").topics


def test_prefix_terms_cover_word_forms_but_whole_words_stay_whole():
    assert "media-freedom" in analyse("Journalism in exile").topics
    assert "tech-capacity" not in analyse("A new approach to applications").topics


def test_mentions_match_whole_words_or_substrings_in_unspaced_scripts():
    view = analyse("Soil health for organic rice farmers; ป่าชายเลนชายฝั่ง")
    assert mentions(view, "farmer") and mentions(view, "Rice")
    assert not mentions(view, "oil")
    assert mentions(view, "ป่าชายเลน")


def test_shared_terms_name_what_two_texts_have_in_common():
    query = analyse("ความช่วยเหลือทางกฎหมายแก่แรงงานข้ามชาติ; legal aid for migrant workers")
    document = analyse("สิทธิแรงงานข้ามชาติ and legal aid")
    terms = shared_terms(query, document)
    assert any("แรงงานข้ามชาติ" in t for t in terms)
    assert "legal aid" in terms


def test_normalise_folds_case_and_composes():
    assert normalise("PHÁT TRIỂN") == normalise("phát triển")
