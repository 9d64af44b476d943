/// When a stage pauses and resumes its partitions: pause as soon as one shard has `capacity` records unfinished,
/// resume once every shard is down to half of it. The gap keeps the fetcher from flapping at the bound.
struct Backpressure {
    enum Change: Equatable {
        case pause, resume
    }

    let capacity: Int
    private(set) var isPaused = false

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The change to make, given each shard's backlog now; nil when none is due. The caller reports back whether
    /// it took effect (``applied(_:)``).
    func change(for backlogs: [Int]) -> Change? {
        if !isPaused, backlogs.contains(where: { $0 >= capacity }) { return .pause }
        if isPaused, backlogs.allSatisfy({ $0 <= capacity / 2 }) { return .resume }
        return nil
    }

    mutating func applied(_ change: Change) {
        isPaused = change == .pause
    }

    /// After a rebalance the assignment starts unpaused.
    mutating func reset() {
        isPaused = false
    }
}
