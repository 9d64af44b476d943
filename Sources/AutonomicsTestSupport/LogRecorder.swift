import Logging
import Synchronization

/// Keeps every log entry, from whichever thread logs it, for expectations on what was logged.
public final class LogRecorder: Sendable {
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: Logger.Metadata
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    public func append(_ entry: Entry) {
        self.storage.withLock { $0.append(entry) }
    }

    public var entries: [Entry] {
        self.storage.withLock { $0 }
    }

    /// A logger at `trace` whose entries this recorder keeps.
    public func logger(label: String = "recorded") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
    }
}

/// Hands each entry, with the logger's metadata merged in, to a ``LogRecorder``.
public struct RecordingLogHandler: LogHandler {
    public let recorder: LogRecorder
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(recorder: LogRecorder) {
        self.recorder = recorder
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let metadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
        self.recorder.append(
            LogRecorder.Entry(level: event.level, message: event.message.description, metadata: metadata))
    }
}
