import AutonomicsCore
import AutonomicsSamples
import AutonomicsWorker
import ArgumentParser
import Foundation
import GCPFake

struct GCPFakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcp-fake",
        abstract: "Run the loopback fake of Cloud Run, Scheduler, Pub/Sub, Procurement and both token sources.",
        discussion: """
            Listens on 127.0.0.1, writes a generated service-account key, and prints the `export` lines that point \
            `autonomics gcp`, `autonomics run` and google-auth at it (eval them in another shell). It starts with example \
            resources and the demo tenants of the SKU spec (their services, jobs, subscriptions, accounts and \
            entitlements at the names the spec's bindings give them, for `autonomics produce --scenario`), judges every \
            request against Google's discovery documents and reports violations on standard error. Runs until SIGTERM \
            or SIGINT.
            """
    )

    /// Where the spec is looked for when `--spec` is not given.
    static let defaultSpec = "config/sku.toml"

    @Option(name: .long, help: "Port on 127.0.0.1; 0 picks a free one.")
    var port = 0

    @Option(name: .customLong("key-file"), help: "Where to write the service-account key. Default: a new temporary directory.")
    var keyFile: String?

    @Flag(name: .customLong("no-seed"), help: "Start without the example resources and demo tenants.")
    var noSeed = false

    @Option(name: .long, help: "The SKU spec whose bindings name the demo tenants' resources. Default: \(Self.defaultSpec), when it exists.")
    var spec: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    }

    func run() async throws {
        let demoSpec = noSeed ? nil : try loadSpec()
        let fake = try await GCPFake.start(port: port)
        if !noSeed {
            fake.seedExamples()
            // The entitlement of `autonomics produce`'s samples, so that a local run resolves their tenant.
            fake.addEntitlement(
                "providers/\(SampleEvents.providerID)/entitlements/\(SampleEvents.entitlementID)",
                account: SampleEvents.tenantID, state: "ENTITLEMENT_ACTIVE")
        }
        if let demoSpec { DemoCloud.seed(fake, spec: demoSpec) }
        let keyPath: String
        if let keyFile {
            keyPath = keyFile
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autonomics-gcp-fake-\(fake.port)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            keyPath = directory.appendingPathComponent("service-account.json").path
        }
        // The key is a secret of the fake only, but treat it like one: readable by the owner alone.
        guard FileManager.default.createFile(
            atPath: keyPath, contents: Data(fake.serviceAccountKeyJSON), attributes: [.posixPermissions: 0o600])
        else {
            printError("autonomics: cannot write the service-account key to \(keyPath)")
            await fake.stop()
            throw ExitCode(1)
        }

        for (name, value) in fake.environment(keyFile: keyPath) {
            announce("export \(name)=\(value)")
        }
        announce("export \(ProduceCommand.fakeControlVariable)=\(fake.endpoint(.control))")
        if let demoSpec {
            announce("# demo tenants of \(demoSpec.source): " + DemoCloud.resourceNames(spec: demoSpec).joined(separator: " "))
        }
        if !noSeed {
            announce("# resources: projects/demo/locations/us-central1/services/web projects/demo/locations/us-central1/jobs/nightly "
                + "projects/demo/subscriptions/push-sub providers/demo/entitlements/ent-1 providers/demo/entitlements/ent-2 "
                + "providers/demo/accounts/acct-1 "
                + "providers/\(SampleEvents.providerID)/entitlements/\(SampleEvents.entitlementID)")
        }

        await Self.waitForTermination()
        await fake.stop()
        let violations = fake.violations
        printError("gcp-fake: \(fake.requests.count) requests, \(violations.count) discovery violations")
        for violation in violations { printError("  \(violation)") }
        // The key and the temporary directory made for it go with the fake.
        if keyFile == nil { try? FileManager.default.removeItem(atPath: (keyPath as NSString).deletingLastPathComponent) }
    }

    /// The spec named by `--spec`, or the default one when it exists; nil without either (no demo tenants then).
    private func loadSpec() throws -> SKUSpec? {
        guard let path = spec ?? (FileManager.default.fileExists(atPath: Self.defaultSpec) ? Self.defaultSpec : nil) else {
            printError("gcp-fake: no \(Self.defaultSpec) here and no --spec: starting without the demo tenants")
            return nil
        }
        do {
            return try SKUSpecLoader.load(file: path)
        } catch {
            printError("autonomics: \(error)")
            throw ExitCode(2)
        }
    }

    /// Returns on SIGTERM or SIGINT.
    static func waitForTermination() async {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
