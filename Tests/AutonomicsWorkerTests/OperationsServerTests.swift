import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Synchronization
import AutonomicsTestSupport
import Testing

@testable import AutonomicsWorker

@Suite struct OperationsServerTests {
    private struct StatusBody: Decodable, Equatable {
        var status: String
        var pending: [String]?
    }

    private func makeApplication(
        readiness: WorkerReadiness = WorkerReadiness(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var http = WorkerConfiguration.HTTP()
        http.port = 0
        return OperationsServer.makeApplication(
            configuration: http,
            readiness: readiness,
            registry: registry,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onServerRunning: onServerRunning
        )
    }

    private func decode(_ body: ByteBuffer) throws -> StatusBody {
        try JSONDecoder().decode(StatusBody.self, from: Data(String(buffer: body).utf8))
    }

    @Test func healthIsOK() async throws {
        try await self.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try self.decode(response.body) == StatusBody(status: "ok"))
        }
    }

    @Test func readyListsPendingConditionsUntilAllAreSatisfied() async throws {
        let readiness = WorkerReadiness()
        readiness.register("state-restored")
        readiness.register("partitions-assigned")
        readiness.set("broker-reachable", satisfied: true)

        try await self.makeApplication(readiness: readiness).test(.router) { client in
            let notReady = try await client.execute(uri: "/ready", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            #expect(
                try self.decode(notReady.body)
                    == StatusBody(status: "not ready", pending: ["partitions-assigned", "state-restored"])
            )

            readiness.set("partitions-assigned", satisfied: true)
            readiness.set("state-restored", satisfied: true)
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(try self.decode(ready.body) == StatusBody(status: "ready", pending: []))
        }
    }

    @Test func registeringAgainKeepsAConditionsState() {
        let readiness = WorkerReadiness()
        #expect(readiness.status.isReady)

        readiness.set("restored", satisfied: true)
        readiness.register("restored")
        readiness.register("assigned")
        #expect(readiness.status == (false, ["assigned"]))

        readiness.set("restored", satisfied: false)
        #expect(readiness.status == (false, ["assigned", "restored"]))
    }

    @Test func metricsExposeEveryMetricWithItsLabels() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = WorkerMetrics(registry: registry)
        metrics.eventsConsumed(format: .signal, count: 3)
        metrics.eventsConsumed(format: .signal, count: 2)
        metrics.eventsConsumed(format: .invalid, count: 1)
        metrics.receiptsWritten(count: 4)
        metrics.duplicatesSkipped(count: 2)
        metrics.deadLettered(code: "undecodable", count: 1)
        metrics.deadLettered(code: "undecodable", count: 1)
        metrics.setConsumerLag(topic: "autonomics.events", partition: 3, lag: 42)
        metrics.setConsumerLag(topic: "autonomics.events", partition: 3, lag: 7)
        metrics.recordBatch(stage: .intake, duration: .milliseconds(3))

        try await self.makeApplication(registry: registry).test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)

            let lines = Set(String(buffer: response.body).split(separator: "\n").map(String.init))
            let expected = [
                #"autonomics_events_consumed_total{format="signal"} 5"#,
                #"autonomics_events_consumed_total{format="invalid"} 1"#,
                #"autonomics_events_consumed_total{format="marketplace"} 0"#,
                #"autonomics_receipts_total 4"#,
                #"autonomics_duplicates_total 2"#,
                #"autonomics_dlq_total{code="undecodable"} 2"#,
                #"autonomics_consumer_lag{topic="autonomics.events",partition="3"} 7.0"#,
                #"autonomics_batch_duration_seconds_bucket{stage="intake",le="0.0025"} 0"#,
                #"autonomics_batch_duration_seconds_bucket{stage="intake",le="0.005"} 1"#,
                #"autonomics_batch_duration_seconds_count{stage="intake"} 1"#,
                #"autonomics_batch_duration_seconds_count{stage="governor"} 0"#,
            ]
            for line in expected {
                #expect(lines.contains(line), "missing: \(line)")
            }
        }
    }

    @Test func liveServerReportsItsBoundPort() async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = self.makeApplication { port in continuation.yield(port) }

        try await application.test(.live) { client in
            var reported = ports.makeAsyncIterator()
            let port = await reported.next()
            #expect(port != nil && port != 0)
            #expect(port == client.port)
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
        }
    }
}

@Suite struct JSONLogHandlerTests {
    /// Collects what the handler writes.
    private final class Capture: TextOutputStream, Sendable {
        private let text = Mutex("")

        func write(_ string: String) {
            self.text.withLock { $0 += string }
        }

        var lines: [String] {
            self.text.withLock { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        }
    }

    private struct Failure: Error, CustomStringConvertible {
        var description: String { "broker unreachable" }
    }

    @Test func writesOneJSONObjectPerLine() throws {
        let capture = Capture()
        var logger = Logger(label: "autonomics.test") { label in
            JSONLogHandler(label: label, metadataProvider: nil, stream: capture)
        }
        logger[metadataKey: "worker.id"] = "w-1"

        logger.info(
            "Batch committed",
            metadata: [
                "tenant.id": "acme \"quoted\"\nline",
                "kafka": ["partition": "3", "offset": "42"],
                "message": "collides",
            ]
        )
        logger.debug("Not written: below the level")
        logger.error("Producer failed", error: Failure())

        let lines = capture.lines
        try #require(lines.count == 3)
        #expect(lines[2] == "")  // each object ends with a newline

        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: String])
        #expect(first["level"] == "info")
        #expect(first["label"] == "autonomics.test")
        #expect(first["message"] == "Batch committed")
        #expect(first["source"] == "AutonomicsWorkerTests")
        #expect(first["worker.id"] == "w-1")
        #expect(first["tenant.id"] == "acme \"quoted\"\nline")
        #expect(first["kafka.partition"] == "3")
        #expect(first["kafka.offset"] == "42")
        #expect(first["metadata.message"] == "collides")
        let time = try #require(first["time"])
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "time: \(time)")

        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: String])
        #expect(second["level"] == "error")
        #expect(second["error"] == "broker unreachable")
    }
}
