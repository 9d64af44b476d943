import ArgumentParser
import AutonomicsWorker

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration (file, AUTONOMICS_* environment, flags) and print the one in force.",
        discussion: "Exits 2 with the file, key and expectation of the first error. Secrets are redacted."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration = try options.load()
        announce(ConfigurationLoader.describe(configuration))
    }
}
