/// A configuration value that could not be used, with where it came from and what was expected instead.
///
/// Its description reads, for example:
/// `config/autonomics.toml: key "http.port": expected an integer 0…65535, found "abc"`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the value came from: a file path (with line and column for syntax errors),
    /// `environment variable AUTONOMICS_HTTP_PORT`, or `command line`.
    public var source: String

    /// The dotted key, e.g. `http.port`; `nil` when the error concerns a whole file.
    public var key: String?

    /// What would have been accepted, e.g. `an integer 0…65535`.
    public var expected: String

    /// The offending value as written: a TOML literal from a file, a quoted string from the environment
    /// or a flag, or the reason a file could not be read.
    public var found: String

    public var description: String {
        let key = self.key.map { " key \"\($0)\":" } ?? ""
        return "\(self.source):\(key) expected \(self.expected), found \(self.found)"
    }
}
