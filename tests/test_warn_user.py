"""``degsdk.warn_user`` points a warning at the user's line, past every frame of degsdk and its
plugins (issue 28 row 8)."""

from __future__ import annotations

import warnings

PLUGIN_CODE = '''
import degsdk

def deep_inside():
    return one_more()

def one_more():
    degsdk.warn_user("level 6 is outside the trained levels")
'''


def test_the_warning_points_at_the_callers_line() -> None:
    plugin: dict[str, object] = {"__name__": "degsdk_someplugin.model"}
    exec(compile(PLUGIN_CODE, "/site-packages/degsdk_someplugin/model.py", "exec"), plugin)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plugin["deep_inside"]()  # type: ignore[operator]
    assert len(caught) == 1 and caught[0].filename == __file__
    assert caught[0].category is UserWarning and "level 6" in str(caught[0].message)
