import ArgumentParser
import AutonomicsCore
import AutonomicsSamples
import AutonomicsWorker
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Send sample events, events from a file, or a scenario to the events topic.",
        discussion: "Without --file, --sample or --scenario it sends every built-in sample: signals, Marketplace and "
            + "Monitoring notifications (raw and in Pub/Sub push envelopes) and one invalid event that lands in the "
            + "dead-letter topic.\n\n"
            + "--scenario NAME tells a story to a worker whose GCP fake holds the demo tenants (an embedded run, or "
            + "`autonomics gcp-fake`): their entitlements made active, then signals or incidents that cross a rule of "
            + "config/sku.toml, with pauses for the worker to act. Scenarios:\n"
            + Scenarios.catalogue.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    )

    /// The variable that names the GCP fake's control endpoint, as `autonomics gcp-fake` prints it. Not under
    /// `AUTONOMICS_`: the configuration reads every such variable as a setting and refuses unknown ones.
    static let fakeControlVariable = "GCP_FAKE_CONTROL_ENDPOINT"

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Target topic (key topics.events).")
    var topic: String?

    @Option(name: .long, help: "A JSON-lines file: one event per line ('-' reads standard input).")
    var file: String?

    @Option(name: .long, help: "Send only this built-in sample (repeatable); see --list-samples.")
    var sample: [String] = []

    @Option(name: .long, help: "Key for every event (default: none, as a Pub/Sub bridge sends them).")
    var key: String?

    @Option(name: .long, help: "Send this scenario: \(Scenarios.names.joined(separator: ", ")).")
    var scenario: String?

    @Option(
        name: .customLong("gcp-fake"),
        help: ArgumentHelp(
            "The GCP fake's control endpoint, for scenarios that change an entitlement on Google's side "
                + "(entitlement-lifecycle). Default: $\(Self.fakeControlVariable)."))
    var gcpFake: String?

    @Flag(name: .long, help: "List the built-in samples and exit.")
    var listSamples = false

    func validate() throws {
        if let scenario {
            guard Scenarios.names.contains(scenario) else {
                throw ValidationError("unknown scenario \"\(scenario)\"; known: \(Scenarios.names.joined(separator: ", "))")
            }
            guard file == nil, sample.isEmpty, key == nil else {
                throw ValidationError("--scenario sends its own events, keyed by tenant: leave out --file, --sample and --key")
            }
        }
    }

    func run() async throws {
        if listSamples {
            Self.samples.forEach { announce($0.name) }
            return
        }
        JSONLogHandler.bootstrap(level: .warning, format: .text)
        var flags: [String: String] = [:]
        flags["topics.events"] = topic
        let configuration = try options.load(flags: flags)
        guard configuration.kafka.brokers != WorkerConfiguration.Kafka.embedded else {
            printError("autonomics: produce sends to a running broker: pass --brokers HOST:PORT (a worker on the embedded cluster prints its address)")
            throw ExitCode(2)
        }
        let publisher = try EventPublisher(
            brokers: configuration.kafka.brokers, properties: configuration.kafka.properties,
            logger: Logger(label: "autonomics.produce"))
        if let name = scenario, let scenario = Scenarios.scenario(named: name, now: Self.nowMilliseconds()) {
            try await perform(scenario, publisher: publisher, topic: configuration.topics.events)
            return
        }
        let values = try eventValues()
        let keyBytes = key.map { Array($0.utf8) }
        try publisher.publish(values.map { (key: keyBytes, value: $0) }, to: configuration.topics.events)
        announce("produced \(values.count) events to \(configuration.topics.events)")
    }

    /// Takes the scenario's steps in order: each send is delivered before the next step starts.
    private func perform(_ scenario: Scenario, publisher: EventPublisher, topic: String) async throws {
        let control = scenario.marketplaceChanges.isEmpty ? nil : try fakeControlEndpoint()
        for step in scenario.steps {
            switch step {
            case .send(let events):
                try publisher.publish(events.map { (key: Array($0.key.utf8), value: Array($0.value.utf8)) }, to: topic)
            case .pause(let seconds):
                try await Task.sleep(for: .seconds(seconds))
            case .marketplaceChange(let entitlement, let members):
                guard let control else { continue }
                try await Self.patch(entitlement, members, control: control)
            }
        }
        let tenants = scenario.tenants.map(\.id).joined(separator: ", ")
        announce(
            "scenario \(scenario.name): produced \(scenario.events.count) events for \(tenants) to \(topic), "
                + "\(scenario.marketplaceChanges.count) Marketplace changes on the GCP fake, \(scenario.pauseSeconds) s of pauses")
    }

    /// `--gcp-fake`, else the variable `autonomics gcp-fake` prints, with a trailing slash.
    private func fakeControlEndpoint() throws -> String {
        guard let endpoint = gcpFake ?? ProcessInfo.processInfo.environment[Self.fakeControlVariable], !endpoint.isEmpty else {
            throw ValidationError(
                "scenario \(scenario ?? "") changes entitlements on the GCP fake: pass --gcp-fake URL or set \(Self.fakeControlVariable)")
        }
        return endpoint.hasSuffix("/") ? endpoint : endpoint + "/"
    }

    /// Sets members of a resource of the GCP fake through its control endpoint.
    private static func patch(_ name: String, _ members: [String: JSONValue], control: String) async throws {
        guard let url = URL(string: control + name) else {
            throw ValidationError("\(control)\(name) is no URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "PATCH"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(CanonicalJSON.encode(.object(members)))
        let (body, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            printError("autonomics: the GCP fake answered \(status) to the change of \(name): \(String(decoding: body, as: UTF8.self))")
            throw ExitCode(1)
        }
    }

    private static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    private func eventValues() throws -> [[UInt8]] {
        if let file {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            return data.split(separator: UInt8(ascii: "\n")).map(Array.init)
        }
        guard !sample.isEmpty else { return Self.samples.map { Array($0.json.utf8) } }
        return try sample.map { name in
            guard let found = Self.samples.first(where: { $0.name == name }) else {
                throw ValidationError("unknown sample \"\(name)\"; known: \(Self.samples.map(\.name).joined(separator: ", "))")
            }
            return Array(found.json.utf8)
        }
    }

    /// The valid samples, then the invalid ones that end in the dead-letter topic.
    static let samples = SampleEvents.all + SampleEvents.invalid
}
