import AutonomicsCore
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// The operations HTTP server: liveness, readiness and Prometheus metrics.
///
/// - `GET /health`: `200 {"status":"ok"}` while the process serves requests.
/// - `GET /ready`: `200 {"status":"ready","pending":[]}` when every ``WorkerReadiness`` condition holds,
///   otherwise `503 {"status":"not ready","pending":[…]}` naming the others.
/// - `GET /metrics`: the registry in Prometheus text exposition format 0.0.4.
/// - `GET /tenants/{id}`: `200` and the tenant's state as JSON (its entitlement and governor machines, the action in
///   flight, its last receipt's `seq` and `hash`) when this process owns the tenant's partition, else `404`.
public enum OperationsServer {
    /// Looks a tenant up where its state lives; nil when this process does not hold it.
    public typealias TenantLookup = @Sendable (String) async -> JSONValue?

    /// Builds the server application. It is a `Service`: run it in the process's `ServiceGroup`.
    ///
    /// - Parameters:
    ///   - configuration: Address to bind; port `0` binds any free port.
    ///   - readiness: Conditions reported by `/ready`.
    ///   - registry: Metrics exported by `/metrics`.
    ///   - logger: The server's logger.
    ///   - onServerRunning: Called once listening, with the bound port.
    public static func makeApplication(
        configuration: WorkerConfiguration.HTTP,
        readiness: WorkerReadiness,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        tenants: @escaping TenantLookup = { _ in nil },
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: self.makeRouter(readiness: readiness, registry: registry, tenants: tenants),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger
        )
    }

    static func makeRouter(
        readiness: WorkerReadiness,
        registry: PrometheusCollectorRegistry,
        tenants: @escaping TenantLookup = { _ in nil }
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("health") { _, _ in
            StatusBody(status: "ok")
        }
        router.get("ready") { _, _ in
            let status = readiness.status
            return EditedResponse(
                status: status.isReady ? .ok : .serviceUnavailable,
                response: StatusBody(status: status.isReady ? "ready" : "not ready", pending: status.pending)
            )
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        router.get("tenants/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let view = await tenants(id) else {
                return Response(
                    status: .notFound, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(
                        ["status": "unknown tenant", "tenant_id": .string(id),
                         "reason": "no partition this process owns has this tenant"]))))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(view))))
        }
        return router
    }

    private struct StatusBody: ResponseEncodable {
        var status: String
        var pending: [String]?
    }
}
