"""What a command or an API call loads: only what it uses (issue 24: `ask` ≤ 3 s, 30 learners).

- `python -m tutor <command>` builds the parser of that command alone, the same parser as the
  whole table gives it (`interfaces.cli.main.COMMAND_MODULES` must name every sub-command);
- a session's page config (`interfaces.web.gradio_sessions.LazyConfigs`) makes an entry only
  when it is used, and the same entries, in page order, when walked.
"""
from __future__ import annotations

from interfaces.cli.main import COMMAND_MODULES, MODULES, build_parser
from interfaces.web.gradio_sessions import LazyConfigs


def _choices(parser) -> dict:
    return next(a for a in parser._actions if a.dest == "command").choices


def test_the_command_table_names_every_sub_command_and_its_module():
    whole = _choices(build_parser())
    assert list(whole) == list(COMMAND_MODULES)  # every command, in the help's order
    assert set(COMMAND_MODULES.values()) == set(MODULES)
    for name in ("ask", "progress", "class"):
        alone = _choices(build_parser(name))
        assert name in alone and len(alone) < len(whole)
        assert alone[name].format_help() == whole[name].format_help()


def test_lazy_configs_make_an_entry_when_used_and_all_in_page_order_when_walked():
    made: list[int] = []

    def make(k: int) -> dict:
        made.append(k)
        return {"id": k, "props": {"value": k * 10}}

    cfg = LazyConfigs(make, [3, 1, 2])
    assert made == [] and len(cfg) == 3 and 1 in cfg and 9 not in cfg
    assert cfg[1]["props"]["value"] == 10 and made == [1]
    cfg[2] = {"id": 2, "props": {"value": "set"}}  # Gradio's __setitem__: no need to make it
    cfg[7] = {"id": 7}  # a block rendered later
    assert made == [1] and cfg.get(9) is None
    assert list(cfg) == [3, 1, 2, 7] and made == [1, 3]
    assert [v["props"]["value"] for k, v in cfg.items() if k != 7] == [30, 10, "set"]
