"""The server-wide gate: at most ``slots`` computations at once, the others wait in line and hear their place."""

import threading
import time

import pytest

from engine.gate import Gate


def test_at_most_slots_run_at_once_and_waiters_hear_their_place():
    gate = Gate(2)
    running, most, heard = [0], [0], []
    lock = threading.Lock()

    def work(i: int) -> None:
        with gate.slot(lambda fraction, text: heard.append((i, text))):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.3)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # in this order
    for thread in threads:
        thread.join(10)
    assert most[0] == 2 and gate.running == 0 and gate.waiting == 0
    assert any("waiting in line: 2 computations ahead of yours (at most 2 at once)" in t for _, t in heard)
    assert {i for i, _ in heard} <= {2, 3, 4} and 4 in {i for i, _ in heard}


def test_a_waiter_that_gives_up_leaves_the_line():
    gate = Gate(1)
    release = threading.Event()

    def hold() -> None:
        with gate.slot():
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)

    def give_up(fraction, text):
        raise KeyboardInterrupt  # a Streamlit rerun or a cancel raises from the progress callback

    with pytest.raises(KeyboardInterrupt):
        with gate.slot(give_up):
            pass
    assert gate.waiting == 0
    release.set()
    holder.join(10)
    with gate.slot():  # free again
        assert gate.running == 1
