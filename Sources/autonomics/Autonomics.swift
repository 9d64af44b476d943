import ArgumentParser

@main
struct Autonomics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autonomics",
        abstract: "The autonomic control worker for SaaS products sold on Google Cloud Marketplace.",
        subcommands: [RunCommand.self, VerifyCommand.self, ProduceCommand.self, CheckConfigCommand.self, BenchCommand.self, BrokerCommand.self, GCPCommand.self, GCPFakeCommand.self]
    )
}
