import AutonomicsWorker
import Foundation

/// The embedded broker run as a child process (`autonomics broker`), so that what this process measures of itself
/// (peak memory, CPU time) is the worker's and not the broker's.
final class BrokerProcess: Sendable {
    let bootstrapServers: String
    private let process: Process
    /// The broker's standard input, held open for its life: if this process dies, the broker sees end of file and
    /// stops (`--exit-on-stdin-eof`).
    private let lifeline: Pipe

    /// Starts `executable broker …` and waits for it to announce its bootstrap servers.
    init(executable: URL, brokers: Int, partitions: Int, topics: [String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["broker", "--exit-on-stdin-eof", "--broker-count", String(brokers), "--partitions", String(partitions)]
            + topics.flatMap { ["--topic", $0] }
        let output = Pipe()
        process.standardOutput = output
        let lifeline = Pipe()
        process.standardInput = lifeline
        try process.run()
        guard let line = Self.firstLine(of: output.fileHandleForReading),
              line.hasPrefix(EmbeddedKafka.announcement)
        else {
            process.terminate()
            process.waitUntilExit()
            throw BenchmarkError.brokerDidNotStart(executable.path)
        }
        bootstrapServers = String(line.dropFirst(EmbeddedKafka.announcement.count))
        self.process = process
        self.lifeline = lifeline
    }

    /// The broker's peak resident memory so far.
    var peakResidentSize: Int? {
        ProcessUsage.peakResidentSize(ofProcess: process.processIdentifier)
    }

    /// SIGTERM, then waits for the broker to exit.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    private static func firstLine(of handle: FileHandle) -> String? {
        var bytes: [UInt8] = []
        while let byte = try? handle.read(upToCount: 1)?.first {
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return nil
    }
}
