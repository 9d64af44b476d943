import ArgumentParser
import AutonomicsWorker
import Foundation

/// Options every subcommand shares: where the configuration comes from and which brokers to use.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (TOML). Default: $AUTONOMICS_CONFIG, else built-in defaults.")
    var config: String?

    @Option(name: .long, help: "Kafka bootstrap servers, HOST:PORT,… or 'embedded' (key kafka.brokers).")
    var brokers: String?

    /// Loads file, environment and flags; a bad configuration ends the command with its error and exit code 2.
    func load(flags extraFlags: [String: String] = [:]) throws -> WorkerConfiguration {
        var flags = extraFlags
        flags["kafka.brokers"] = brokers
        do {
            return try ConfigurationLoader.load(file: config, environment: ProcessInfo.processInfo.environment, flags: flags)
        } catch {
            printError("autonomics: \(error)")
            throw ExitCode(2)
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes a line to standard output at once, so that a script reading the worker's output sees it while it runs.
func announce(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
