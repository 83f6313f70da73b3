"""How late an interaction reached the gateway, whatever this machine's clock says (forwarding.Lateness)."""

import pytest

from discord_gateway.forwarding import TOO_LATE_S, Lateness


def test_with_nothing_seen_yet_an_interaction_counts_as_on_time_however_old_it_looks():
    assert Lateness().late_by(age=60.0, now=0.0) == 0.0


def test_with_the_clocks_agreeing_the_age_is_the_lateness_less_the_networks_delay():
    lateness = Lateness()
    lateness.late_by(age=0.1, now=0.0)

    assert lateness.late_by(age=0.3, now=1.0) == pytest.approx(0.2)
    late = lateness.late_by(age=4.0, now=2.0)
    assert late == pytest.approx(3.9)
    assert late > TOO_LATE_S


def test_a_clock_seconds_ahead_of_discords_drops_nothing_fresh_but_still_sees_a_backlog():
    lateness, ahead = Lateness(), 10.0
    ages = [ahead + 0.1, ahead + 0.2, ahead + 0.15]
    assert [lateness.late_by(age=age, now=i) for i, age in enumerate(ages)] == pytest.approx([0.0, 0.1, 0.05])
    late = lateness.late_by(age=ahead + 4.1, now=5.0)
    assert late == pytest.approx(4.0)
    assert late > TOO_LATE_S


def test_a_clock_behind_is_not_corrected_so_nothing_looks_later_than_it_is():
    lateness = Lateness()
    lateness.late_by(age=-2.0, now=0.0)

    assert lateness.late_by(age=-1.5, now=1.0) == -1.5
    assert lateness.late_by(age=4.0, now=2.0) == 4.0


def test_the_freshest_age_is_forgotten_after_the_window_so_a_changed_offset_is_learnt_again():
    lateness, window = Lateness(), Lateness.WINDOW_S
    lateness.late_by(age=0.1, now=0.0)
    lateness.late_by(age=1.0, now=window / 2)

    # The clock was stepped 8 s forward: wrongly late while an age from before is in the window,
    assert lateness.late_by(age=8.2, now=window - 1) == pytest.approx(8.1)
    assert lateness.late_by(age=8.4, now=window + 1) == pytest.approx(7.4)
    # then measured against the freshest since the step.
    assert lateness.late_by(age=8.3, now=window * 1.5 + 1) == pytest.approx(0.1)
