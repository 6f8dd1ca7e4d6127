/// The mechanics of one simulated compartment lock: a solenoid latch that an energized lock line releases.
/// A released latch stays released (the door springs ajar) until the door has opened and is closed again
/// with the solenoid off, when the strike pushes the bolt back in. A jammed latch ignores the solenoid, so
/// an unlock goes unconfirmed. Pure; `SimulatedLockerBoard` applies its answers to the feedback line.
struct SimulatedLatch: Sendable, Equatable {
    /// The bolt is in: the lock-feedback switch reads "locked".
    private(set) var engaged = true
    private(set) var doorClosed = true
    private(set) var energized = false
    /// The door has opened since the latch was released.
    private(set) var openedSinceRelease = false
    var jammed = false

    /// The lock line changed. Returns the latch's new state if it moved.
    mutating func lockLine(energized: Bool) -> Bool? {
        self.energized = energized
        if energized, engaged, !jammed {
            engaged = false
            openedSinceRelease = !doorClosed
            return engaged
        }
        return relatchIfShut()
    }

    /// The door moved. Returns the latch's new state if it moved.
    mutating func door(closed: Bool) -> Bool? {
        doorClosed = closed
        if !closed { openedSinceRelease = true }
        return relatchIfShut()
    }

    /// Someone set the feedback switch directly (a broken switch, a lock released by hand).
    mutating func force(engaged: Bool) {
        self.engaged = engaged
        openedSinceRelease = false
    }

    private mutating func relatchIfShut() -> Bool? {
        guard !engaged, doorClosed, openedSinceRelease, !energized else { return nil }
        engaged = true
        openedSinceRelease = false
        return engaged
    }
}
