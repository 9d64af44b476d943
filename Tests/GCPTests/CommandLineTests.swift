import Foundation
import Synchronization
import Testing

/// The built `autonomics` executable, beside this package's `.build/debug`, if it has been built.
let autonomicsBinary: String? = {
    let repository = URL(filePath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let path = repository.appending(path: ".build/debug/autonomics").path
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}()

/// `autonomics gcp-fake` in one process and `autonomics gcp …` in others, as the README shows.
@Suite("autonomics gcp and gcp-fake", .enabled(if: autonomicsBinary != nil))
struct CommandLineTests {
    static let binary = autonomicsBinary

    struct Outcome {
        var status: Int32
        var output: String
        var error: String
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary!)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    @Test("gcp-fake prints export lines; gcp token and gcp get work with them; exit codes", .timeLimit(.minutes(1)))
    func endToEnd() async throws {
        let fake = Process()
        fake.executableURL = URL(fileURLWithPath: Self.binary!)
        fake.arguments = ["gcp-fake"]
        let output = Pipe()
        let error = Pipe()
        fake.standardOutput = output
        fake.standardError = error
        let printed = Mutex("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            printed.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try fake.run()
        defer { if fake.isRunning { fake.terminate() } }

        // Wait for the announcement: the last line lists the example resources.
        let deadline = ContinuousClock.now + .seconds(20)
        while !printed.withLock({ $0.contains("# resources:") }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let lines = printed.withLock { $0 }.split(separator: "\n")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AUTONOMICS_") }
        for line in lines where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            let parts = assignment.split(separator: "=", maxSplits: 1)
            environment[String(parts[0])] = String(parts[1])
        }
        #expect(environment["AUTONOMICS_GCP_RUN_ENDPOINT"]?.hasPrefix("http://127.0.0.1:") == true)
        #expect(environment["GOOGLE_APPLICATION_CREDENTIALS"] != nil)
        #expect(environment["GCE_METADATA_HOST"] != nil)

        let token = try Self.run(["gcp", "token"], environment: environment)
        #expect(token.status == 0)
        #expect(token.output.contains("credentials: service account key"))
        #expect(token.output.contains("account: autonomics@fake-project.iam.gserviceaccount.com"))
        #expect(!token.output.contains("ya29."))

        let printedToken = try Self.run(["gcp", "token", "--print"], environment: environment)
        #expect(printedToken.status == 0)
        #expect(printedToken.output.hasPrefix("ya29."))

        let service = try Self.run(["gcp", "get", "projects/demo/locations/us-central1/services/web"], environment: environment)
        #expect(service.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(service.output.utf8)) as? [String: Any]
        #expect(json?["name"] as? String == "projects/demo/locations/us-central1/services/web")

        let entitlement = try Self.run(["gcp", "get", "providers/demo/entitlements/ent-1"], environment: environment)
        #expect(entitlement.output.contains("ENTITLEMENT_ACTIVATION_REQUESTED"))

        let missing = try Self.run(["gcp", "get", "projects/demo/subscriptions/nope"], environment: environment)
        #expect(missing.status == 4)
        #expect(missing.error.contains("NOT_FOUND"))

        let unsupported = try Self.run(["gcp", "get", "projects/demo/topics/t"], environment: environment)
        #expect(unsupported.status == 7)

        var noKey = environment
        noKey["GOOGLE_APPLICATION_CREDENTIALS"] = "/nonexistent/key.json"
        #expect(try Self.run(["gcp", "token"], environment: noKey).status == 3)

        var metadata = environment
        metadata["GOOGLE_APPLICATION_CREDENTIALS"] = nil
        metadata["HOME"] = "/nonexistent"
        metadata["CLOUDSDK_CONFIG"] = nil
        let fromMetadata = try Self.run(["gcp", "token"], environment: metadata)
        #expect(fromMetadata.status == 0)
        #expect(fromMetadata.output.contains("credentials: metadata server"))

        var unreachable = environment
        unreachable["AUTONOMICS_GCP_RUN_ENDPOINT"] = "http://127.0.0.1:1/"
        unreachable["AUTONOMICS_GCP_MAX_ATTEMPTS"] = "1"
        #expect(try Self.run(["gcp", "get", "projects/demo/locations/us-central1/services/web"], environment: unreachable).status == 6)

        var badConfiguration = environment
        badConfiguration["AUTONOMICS_GCP_RUN_ENDPOINT"] = "run.googleapis.com"
        #expect(try Self.run(["gcp", "get", "projects/demo/locations/us-central1/services/web"], environment: badConfiguration).status == 2)

        kill(fake.processIdentifier, SIGINT)
        fake.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        let report = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(fake.terminationStatus == 0)
        #expect(report.contains(" 0 discovery violations"), "\(report)")
    }
}
