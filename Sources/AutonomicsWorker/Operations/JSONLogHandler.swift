import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line to standard error.
///
/// Each line has `time` (RFC 3339, UTC, milliseconds), `level`, `label`, `message`, `source`, `error`
/// when the event carries one, and every metadata value as a string field; nested metadata dictionaries
/// are flattened with dotted keys. A metadata key that collides with one of these fields is written as
/// `metadata.<key>`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let stream: any TextOutputStream & Sendable

    /// Creates a handler writing to standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.init(label: label, metadataProvider: metadataProvider, stream: StandardErrorStream())
    }

    /// Creates a handler writing to `stream`, which must write each string whole.
    init(label: String, metadataProvider: Logger.MetadataProvider?, stream: any TextOutputStream & Sendable) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.stream = stream
    }

    /// Bootstraps swift-log with the worker's log format and level. Call once, before anything logs.
    public static func bootstrap(level: Logger.Level, format: WorkerConfiguration.Log.Format) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardError(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [
            "time": Date.now.formatted(Self.timeFormat),
            "level": event.level.rawValue,
            "label": self.label,
            "message": event.message.description,
            "source": event.source,
        ]
        if let error = event.error {
            fields["error"] = String(describing: error)
        }
        // Later metadata wins: provider, then this logger's, then the call's.
        var metadata = self.metadataProvider?.get() ?? [:]
        metadata.merge(self.metadata) { _, new in new }
        metadata.merge(event.metadata ?? [:]) { _, new in new }
        for (key, value) in Self.flatten(metadata) {
            fields[fields[key] == nil ? key : "metadata.\(key)"] = value
        }

        // Encoding [String: String] cannot fail.
        guard var line = try? Self.encoder.encode(fields) else { return }
        line.append(UInt8(ascii: "\n"))
        var stream = self.stream
        stream.write(String(decoding: line, as: UTF8.self))
    }

    private static func flatten(_ metadata: Logger.Metadata, prefix: String = "") -> [(String, String)] {
        metadata.flatMap { key, value -> [(String, String)] in
            if case .dictionary(let nested) = value {
                return Self.flatten(nested, prefix: "\(prefix)\(key).")
            }
            return [("\(prefix)\(key)", value.description)]
        }
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    // Sorted keys make lines stable for people and for diffing.
    private static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// Standard error, one write per line under a lock, so that lines from concurrent tasks never interleave.
private struct StandardErrorStream: TextOutputStream, Sendable {
    private static let lock = Mutex(())

    func write(_ string: String) {
        Self.lock.withLock { _ in
            // Nowhere to report a failed write to standard error; the line is lost.
            try? FileHandle.standardError.write(contentsOf: Data(string.utf8))
        }
    }
}
