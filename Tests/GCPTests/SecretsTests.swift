import Foundation
import GCP
import GCPFake
import Logging
import Synchronization
import Testing

/// Keeps every log line, with its metadata, at trace level.
final class RecordingLogHandler: LogHandler, Sendable {
    let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        self.lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }
}

@Suite("Secrets stay out of logs and errors")
struct SecretsTests {
    @Test("Token fetches, a 401 refresh, retries and failures log no token, key or refresh token")
    func noSecretsLogged() async throws {
        let handler = RecordingLogHandler()
        var logger = Logger(label: "secrets") { _ in handler }
        logger.logLevel = .trace
        var errors: [String] = []
        for credentials in ["key", "user"] {
            try await FakeStack.with(credentials: { fake in
                try GCPCredentials.parse(Data(credentials == "key" ? fake.serviceAccountKeyJSON : fake.authorizedUserJSON), origin: "test")
            }, logger: logger) { stack in
                _ = try await stack.scheduler.getJob(jobName)
                stack.fake.revokeAllTokens()
                stack.fake.inject(.unavailable, api: .scheduler, times: 2)
                _ = try await stack.scheduler.pauseJob(jobName)
                stack.fake.inject(.status(401), api: .scheduler, times: 2)
                do {
                    _ = try await stack.scheduler.resumeJob(jobName)
                } catch let error as GCPError {
                    errors.append("\(error)")
                }
                let secrets = stack.fake.requests.compactMap { $0.headers["authorization"] }.map { String($0.dropFirst("Bearer ".count)) }
                    + [String(decoding: stack.fake.authorizedUserJSON, as: UTF8.self)]
                let logged = handler.lines.withLock { $0 }.joined(separator: "\n") + errors.joined(separator: "\n")
                #expect(!logged.isEmpty)
                for secret in secrets where !secret.isEmpty {
                    #expect(!logged.contains(secret))
                }
                #expect(!logged.contains("ya29."))
                #expect(!logged.contains("PRIVATE KEY"))
                #expect(!logged.contains("refresh_token="))
                #expect(!logged.contains("1//"))
                #expect(!logged.contains("assertion="))
            }
        }
    }
}
