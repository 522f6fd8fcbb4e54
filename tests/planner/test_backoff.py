from planner.backoff import Backoff


def test_a_step_that_gains_nothing_rests_one_then_two_then_four_chances():
    backoff, pattern = Backoff(), []
    for _ in range(10):
        due = backoff.due()
        pattern.append(due)
        if due:
            backoff.tried(False)
    assert pattern == [True, False, True, False, False, True, False, False, False, False]


def test_a_gain_makes_the_step_due_at_every_chance_again():
    backoff = Backoff()
    backoff.tried(False)
    assert not backoff.due() and backoff.due()
    backoff.tried(False)
    backoff.due(), backoff.due()
    assert backoff.due()
    backoff.tried(True)
    assert backoff.due() and backoff.due()
