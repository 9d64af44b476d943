import ArgumentParser
import AutonomicsWorker

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration (file, AUTONOMICS_* environment, flags) and print the one in force.",
        discussion: """
            Exits 2 with the file, key and expectation of the first error, a signing key that cannot be read included. \
            Secrets are redacted.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let configuration = try options.load()
        do {
            _ = try configuration.receipts.signer()
        } catch {
            printError("autonomics: \(error)")
            throw ExitCode(2)
        }
        announce(ConfigurationLoader.describe(configuration))
    }
}
