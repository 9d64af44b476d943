import ArgumentParser
import AutonomicsWorker
import Foundation
import GCP
import Logging

/// `autonomics gcp …`: the Google Cloud layer, for operators and for trying it against `gcp-fake`.
///
/// Exit codes: 0 success; 2 bad configuration; 3 credentials not found, unreadable or refused, or no token
/// (the token endpoint or metadata server unreachable);
/// 4 the resource does not exist (404); 5 any other error answer from the API; 6 no answer (DNS, connect,
/// TLS, timeout, open circuit breaker); 7 a name no supported API serves.
struct GCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcp",
        abstract: "Google Cloud: show the credentials in force, get a resource by name.",
        discussion: """
            Credentials: GOOGLE_APPLICATION_CREDENTIALS (a service_account key or an authorized_user file), else \
            gcloud's application_default_credentials.json, else the metadata server (GCE_METADATA_HOST). Endpoints: \
            the [gcp] settings (AUTONOMICS_GCP_*_ENDPOINT). Exit codes: 0 ok, 2 bad configuration, 3 credentials, \
            4 not found, 5 other API error, 6 unreachable or timed out, 7 unsupported name.
            """,
        subcommands: [Token.self, Get.self]
    )

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Get an access token: prints the credential source, the account and the expiry.",
            discussion: "The token itself is printed only with --print, alone on standard output (the rest goes to standard error)."
        )

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .long, help: "OAuth scope.")
        var scope = TokenProvider.cloudPlatformScope

        @Flag(name: .long, help: "Print the token itself to standard output.")
        var print = false

        func run() async throws {
            let session = try GCPSession(options: options)
            let report = self.print ? printError : announce
            report("credentials: \(session.credentialsOrigin)")
            do {
                let token = try await session.tokens.token(scope: scope)
                let account = try await session.tokens.account()
                report("account: \(account ?? "(user credentials: the account is known to Google only)")")
                report("scope: \(scope)")
                let seconds = Int(token.expiry.timeIntervalSinceNow)
                report("expires: \(ISO8601DateFormatter().string(from: token.expiry)) (in \(seconds) s)")
                if self.print { announce(token.value) }
            } catch {
                throw GCPSession.exit(for: error)
            }
            await session.shutdown()
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GET one resource by its full name and print its JSON.",
            discussion: """
                Names: projects/P/locations/L/services/S (Cloud Run), projects/P/locations/L/jobs/J (Scheduler), \
                projects/P/subscriptions/S (Pub/Sub), providers/P/entitlements/E and providers/P/accounts/A (Procurement).
                """
        )

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The resource's full name.")
        var name: String

        func run() async throws {
            guard GCPResourceReader.api(for: name) != nil else {
                printError("autonomics: \"\(name)\" is not the name of a Cloud Run service, Scheduler job, Pub/Sub subscription, or Procurement entitlement or account")
                throw ExitCode(7)
            }
            let session = try GCPSession(options: options)
            do {
                let body = try await GCPResourceReader(transport: session.transport).get(name)
                announce(Self.pretty(body))
            } catch {
                throw GCPSession.exit(for: error)
            }
            await session.shutdown()
        }

        static func pretty(_ body: [UInt8]) -> String {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)),
                let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            else { return String(decoding: body, as: UTF8.self) }
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// The GCP stack a command uses: configuration, credentials and ``GCPClients``.
struct GCPSession {
    let clients: GCPClients
    let credentialsOrigin: String

    var tokens: TokenProvider { self.clients.tokens }
    var transport: GCPTransport { self.clients.transport }

    init(options: ConfigurationOptions) throws {
        let worker = try options.load()
        JSONLogHandler.bootstrap(level: .warning, format: .text)
        let environment = ProcessInfo.processInfo.environment
        let credentials: GCPCredentials
        do {
            credentials = try GCPCredentials.discover(environment: environment)
        } catch {
            printError("autonomics: \(error.message)")
            throw ExitCode(3)
        }
        switch credentials {
        case .serviceAccount(let key):
            self.credentialsOrigin = "service account key \(key.clientEmail) (\(Self.origin(environment)))"
        case .authorizedUser:
            self.credentialsOrigin = "authorized user (\(Self.origin(environment)))"
        case .metadataServer(let host):
            self.credentialsOrigin = "metadata server \(host)"
        }
        self.clients = GCPClients(
            configuration: GCPConfiguration(worker.gcp), credentials: credentials, logger: Logger(label: "autonomics.gcp"))
    }

    private static func origin(_ environment: [String: String]) -> String {
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            return "GOOGLE_APPLICATION_CREDENTIALS=\(path)"
        }
        return "gcloud application default credentials"
    }

    func shutdown() async {
        await self.clients.shutdown()
    }

    /// Prints the error and maps it to the documented exit code.
    static func exit(for error: GCPError) -> ExitCode {
        printError("autonomics: \(error)")
        switch error.code {
        case _ where error.operation == "oauth2.token": return ExitCode(3)
        case .credentials: return ExitCode(3)
        case .http where error.isNotFound: return ExitCode(4)
        case .http, .decoding: return ExitCode(5)
        case .invalidName: return ExitCode(7)
        default: return ExitCode(6)
        }
    }
}
