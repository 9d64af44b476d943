import AutonomicsWorker
import Foundation
import GCPFake

/// A loopback GCPFake with its service-account key written to a file, and the worker settings that point the
/// intake's Procurement lookups at it.
final class ProcurementFixture: Sendable {
    static let provider = "acme"
    let fake: GCPFake
    private let keyFile: URL

    init() async throws {
        fake = try await GCPFake.start()
        keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("fake-key-\(UUID().uuidString).json")
        try Data(fake.serviceAccountKeyJSON).write(to: keyFile)
    }

    /// For ``RunningWorker``: credentials from the fake's key, whose `token_uri` is the fake.
    var environment: [String: String] { ["GOOGLE_APPLICATION_CREDENTIALS": keyFile.path] }

    func configure(_ configuration: inout WorkerConfiguration) {
        configuration.gcp.procurementEndpoint = fake.endpoint(.procurement)
        // Retries in a test need not wait long.
        configuration.gcp.requestTimeoutSeconds = 10
    }

    /// `providers/acme/entitlements/<id>`.
    func name(_ entitlementID: String) -> String { "providers/\(Self.provider)/entitlements/\(entitlementID)" }

    /// GETs of one entitlement the fake has answered (any status).
    func gets(of entitlementID: String) -> Int {
        fake.requests.filter { $0.api == .procurement && $0.method == "GET" && $0.path.hasSuffix("/entitlements/\(entitlementID)") }.count
    }

    func stop() async {
        await fake.stop()
        try? FileManager.default.removeItem(at: keyFile)
    }
}

/// A Marketplace entitlement notification of provider `acme`.
func entitlementEvent(_ eventID: String, type: String = "ENTITLEMENT_ACTIVE", entitlement: String) -> [UInt8] {
    Array(#"""
        {"eventId":"\#(eventID)","eventType":"\#(type)","providerId":"\#(ProcurementFixture.provider)",
         "entitlement":{"id":"\#(entitlement)","updateTime":"2026-11-20T10:15:30Z"}}
        """#.utf8)
}
