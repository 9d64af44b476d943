import AutonomicsCore
import Foundation

/// Reads a key from a PEM file named by a setting or an option, failing with a ``ConfigurationError`` that names the
/// file, the key and what was expected, never the file's bytes (a private key is a secret).
enum PEMKeyFile {
    static func load<Key>(
        _ path: String, key: String?, parse: (String) throws(Ed25519KeyError) -> Key
    ) throws(ConfigurationError) -> Key {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                source: path, key: key, expected: "a readable PEM file",
                found: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
        do {
            return try parse(text)
        } catch {
            throw ConfigurationError(source: path, key: key, expected: error.expected, found: error.found)
        }
    }
}
