"""Discord markdown for what the bot writes."""

from core.markup import escape, mention_list, truncate


def test_a_mention_list_fits_exactly_or_shows_the_rest():
    assert mention_list([], 0) == "—"
    assert mention_list([1, 2], 2) == "<@1>, <@2>"
    assert mention_list([1, 2], 5) == "<@1>, <@2> +3 more"
    assert mention_list([111, 222, 333], 3, limit=22) == "<@111>, <@222>, <@333>"
    assert mention_list([111, 222, 333], 3, limit=21) == "<@111> +2 more"


def test_user_text_is_escaped_to_show_as_typed():
    assert escape("x](https://evil)") == r"x\](https://evil)"
    assert escape("**bold** _it_ `code` ~~s~~ ||spoiler||") == r"\*\*bold\*\* \_it\_ \`code\` \~\~s\~\~ \|\|spoiler\|\|"
    assert escape("Picnic in the park") == "Picnic in the park"
    assert escape("\\](https://evil)") == r"\\\](https://evil)"  # a typed backslash cannot unescape the bracket


def test_truncation_keeps_the_limit_and_marks_the_cut():
    assert truncate("abcdef", 6) == "abcdef"
    assert truncate("abcdefg", 6) == "abcde…"
