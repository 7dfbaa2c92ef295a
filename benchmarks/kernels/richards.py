"""richards: Martin Richards' operating-system task scheduler simulation.

Six tasks (idle, worker, two handlers, two devices) pass packets through a
priority scheduler. A correct run queues 23246 packets and holds 9297 times.
"""

from __future__ import annotations

import _harness

ROUNDS = 20
IDLE_COUNT = 10_000
BUFFER_SIZE = 4
IDLE, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = range(6)
KIND_DEVICE, KIND_WORK = range(2)
EXPECTED = (23246, 9297)


class Packet:
    __slots__ = ("link", "dest", "kind", "count", "data")

    def __init__(self, link: Packet | None, dest: int, kind: int) -> None:
        self.link = link
        self.dest = dest
        self.kind = kind
        self.count = 0
        self.data = [0] * BUFFER_SIZE


def append_packet(packet: Packet, queue: Packet | None) -> Packet:
    """Append `packet` to the end of `queue` and return the queue's head."""
    packet.link = None
    if queue is None:
        return packet
    last = queue
    while last.link is not None:
        last = last.link
    last.link = packet
    return queue


class Scheduler:
    def __init__(self) -> None:
        self.tasks: list[Task | None] = [None] * 6
        self.task_list: Task | None = None
        self.queued = 0
        self.holds = 0

    def add(self, task: Task) -> None:
        task.link = self.task_list
        self.task_list = task
        self.tasks[task.ident] = task

    def run(self) -> None:
        task = self.task_list
        while task is not None:
            if task.held or (task.waiting and task.queue is None):
                task = task.link
            else:
                task = task.step()


class Task:
    def __init__(self, scheduler: Scheduler, ident: int, priority: int,
                 queue: Packet | None, waiting: bool) -> None:
        self.scheduler = scheduler
        self.ident = ident
        self.priority = priority
        self.queue = queue
        self.waiting = waiting
        self.held = False
        self.link: Task | None = None
        scheduler.add(self)

    def step(self) -> Task | None:
        """Run once, consuming the head packet if the task was waiting for one."""
        packet = None
        if self.waiting and self.queue is not None:
            packet = self.queue
            self.queue = packet.link
            self.waiting = False
        return self.handle(packet)

    def handle(self, packet: Packet | None) -> Task | None:
        raise NotImplementedError

    def wait(self) -> Task:
        self.waiting = True
        return self

    def hold(self) -> Task | None:
        self.scheduler.holds += 1
        self.held = True
        return self.link

    def release(self, ident: int) -> Task:
        task = self.scheduler.tasks[ident]
        assert task is not None
        task.held = False
        return task if task.priority > self.priority else self

    def send(self, packet: Packet) -> Task:
        """Queue `packet` on its destination task, stamping the sender in `dest`."""
        target = self.scheduler.tasks[packet.dest]
        assert target is not None
        self.scheduler.queued += 1
        packet.link = None
        packet.dest = self.ident
        if target.queue is None:
            target.queue = packet
            if target.priority > self.priority:
                return target
        else:
            append_packet(packet, target.queue)
        return self


class IdleTask(Task):
    def __init__(self, scheduler: Scheduler, count: int) -> None:
        super().__init__(scheduler, IDLE, 1, None, False)
        self.control = 1
        self.count = count

    def handle(self, packet: Packet | None) -> Task | None:
        self.count -= 1
        if self.count == 0:
            return self.hold()
        if self.control & 1 == 0:
            self.control >>= 1
            return self.release(DEVICE_A)
        self.control = (self.control >> 1) ^ 0xD008
        return self.release(DEVICE_B)


class WorkerTask(Task):
    def __init__(self, scheduler: Scheduler, queue: Packet) -> None:
        super().__init__(scheduler, WORKER, 1000, queue, True)
        self.destination = HANDLER_A
        self.letter = 0

    def handle(self, packet: Packet | None) -> Task | None:
        if packet is None:
            return self.wait()
        self.destination = HANDLER_B if self.destination == HANDLER_A else HANDLER_A
        packet.dest = self.destination
        packet.count = 0
        for i in range(BUFFER_SIZE):
            self.letter = self.letter % 26 + 1
            packet.data[i] = ord("A") + self.letter - 1
        return self.send(packet)


class HandlerTask(Task):
    def __init__(self, scheduler: Scheduler, ident: int, priority: int, queue: Packet) -> None:
        super().__init__(scheduler, ident, priority, queue, True)
        self.work: Packet | None = None
        self.devices: Packet | None = None

    def handle(self, packet: Packet | None) -> Task | None:
        if packet is not None:
            if packet.kind == KIND_WORK:
                self.work = append_packet(packet, self.work)
            else:
                self.devices = append_packet(packet, self.devices)
        work = self.work
        if work is None:
            return self.wait()
        if work.count >= BUFFER_SIZE:
            self.work = work.link
            return self.send(work)
        device = self.devices
        if device is None:
            return self.wait()
        self.devices = device.link
        device.count = work.data[work.count]
        work.count += 1
        return self.send(device)


class DeviceTask(Task):
    def __init__(self, scheduler: Scheduler, ident: int, priority: int) -> None:
        super().__init__(scheduler, ident, priority, None, True)
        self.pending: Packet | None = None

    def handle(self, packet: Packet | None) -> Task | None:
        if packet is not None:
            self.pending = packet
            return self.hold()
        pending = self.pending
        if pending is None:
            return self.wait()
        self.pending = None
        return self.send(pending)


def packet_chain(length: int, dest: int, kind: int) -> Packet:
    head = None
    for _ in range(length):
        head = Packet(head, dest, kind)
    assert head is not None
    return head


def simulate(idle_count: int) -> tuple[int, int]:
    scheduler = Scheduler()
    IdleTask(scheduler, idle_count)
    WorkerTask(scheduler, packet_chain(2, IDLE, KIND_WORK))
    HandlerTask(scheduler, HANDLER_A, 2000, packet_chain(3, DEVICE_A, KIND_DEVICE))
    HandlerTask(scheduler, HANDLER_B, 3000, packet_chain(3, DEVICE_B, KIND_DEVICE))
    DeviceTask(scheduler, DEVICE_A, 4000)
    DeviceTask(scheduler, DEVICE_B, 5000)
    scheduler.run()
    return scheduler.queued, scheduler.holds


def main() -> str:
    results = {simulate(IDLE_COUNT) for _ in range(ROUNDS)}
    status = "ok" if results == {EXPECTED} else f"WRONG {sorted(results)}"
    return f"richards rounds={ROUNDS} queued/holds={EXPECTED} {status}"


if __name__ == "__main__":
    _harness.run(main)
