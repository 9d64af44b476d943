import AutonomicsCore
import Kafka

/// The intake stage: decodes and validates raw events, resolves their tenant and re-publishes them keyed by tenant,
/// so that one tenant always lands on one partition of the tenant-events topic, whatever the input keying was.
/// Stateless: a record is finished when its tenant event (or its dead letter) is delivered.
///
/// A Marketplace entitlement event names no tenant: the handler holds its record back while the
/// ``EntitlementResolver`` GETs the entitlement on another thread, and takes the answer back on this shard's thread
/// (its mailbox), where it publishes the event of the entitlement's account, carrying the GET's state, or
/// dead-letters the record as `entitlement_unresolvable`. Meanwhile the shard goes on with other records; offsets
/// pass the held record only once it is finished, so a restart or a rebalance reads it again, never skips it.
final class IntakeHandler: ShardHandler {
    /// A record waiting for its entitlement's lookup.
    private struct Lookup {
        var record: KafkaMessage
        var event: NormalizedEvent
    }

    private let normalizer: Normalizer
    private let tenantEventsTopic: String
    /// nil when no Procurement API is configured: entitlement events are then unresolvable.
    private let resolver: EntitlementResolver?
    private let metrics: WorkerMetrics
    private var consumedByFormat: [WorkerMetrics.EventFormat: Int] = [:]
    /// Records held back for a lookup, by a serial of this handler's: an answer for a record released meanwhile
    /// (its partition revoked) finds nothing, even if the record is consumed again and looked up anew.
    private var lookups: [UInt64: Lookup] = [:]
    private var nextLookup: UInt64 = 0

    init(normalizer: Normalizer, tenantEventsTopic: String, resolver: EntitlementResolver?, metrics: WorkerMetrics) {
        self.normalizer = normalizer
        self.tenantEventsTopic = tenantEventsTopic
        self.resolver = resolver
        self.metrics = metrics
    }

    func handle(_ record: KafkaMessage, now: Int64, outbox: ShardOutbox<IntakeHandler>) -> RecordOutcome {
        let origin = EventOrigin(topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp)
        switch normalizer.normalize(record.value, origin: origin, now: now) {
        case .success(let event):
            consumedByFormat[WorkerMetrics.EventFormat(event.format), default: 0] += 1
            if let entitlement = event.pendingEntitlement {
                return lookUp(entitlement, of: event, record: record, outbox: outbox)
            }
            return publish(event, for: record, outbox: outbox)
        case .failure(let rejection):
            consumedByFormat[.invalid, default: 0] += 1
            return outbox.deadLetter(record, rejection)
        }
    }

    func delivered(_ pending: Void, record: KafkaMessage?, outbox: ShardOutbox<IntakeHandler>) {
        record.map(outbox.finish)
    }

    func failed(_ pending: Void, record: KafkaMessage?, error: KafkaError, outbox: ShardOutbox<IntakeHandler>) {
        if let record { _ = outbox.publishFailed(record, error) }
    }

    /// Drops the revoked partitions' records still waiting for a lookup; the lookups run on and their answers find
    /// nothing. The partitions' next owner consumes those records again from the last commit, which they held back.
    func release(_ partitions: Set<KafkaTopicPartition>) -> Int {
        let dropped = lookups.filter { partitions.contains($0.value.record.topicPartition) }
        for serial in dropped.keys {
            lookups[serial] = nil
        }
        return dropped.count
    }

    func endOfBatch() {
        for (format, count) in consumedByFormat {
            metrics.eventsConsumed(format: format, count: count)
        }
        consumedByFormat.removeAll(keepingCapacity: true)
    }

    private func publish(_ event: NormalizedEvent, for record: KafkaMessage, outbox: ShardOutbox<IntakeHandler>) -> RecordOutcome {
        let output = StageOutput(topic: tenantEventsTopic, partition: nil, key: Array(event.tenantID.utf8), value: event.encoded())
        do {
            try outbox.publish(output, for: record, pending: ())
            return .published
        } catch {
            return outbox.publishFailed(record, error)
        }
    }

    /// Holds the record back and starts the lookup of its entitlement; the answer comes back through the mailbox.
    private func lookUp(
        _ entitlement: (id: String, providerID: String?), of event: NormalizedEvent, record: KafkaMessage,
        outbox: ShardOutbox<IntakeHandler>
    ) -> RecordOutcome {
        guard let resolver else {
            return outbox.deadLetter(record, Rejection(
                code: .entitlementUnresolvable,
                message: "entitlement \(entitlement.id) cannot be read: no Procurement API is configured"))
        }
        guard let name = resolver.entitlementName(id: entitlement.id, messageProviderID: entitlement.providerID) else {
            return outbox.deadLetter(record, Rejection(
                code: .entitlementUnresolvable,
                message: "entitlement \(entitlement.id) cannot be read: the message names no providerId and "
                    + "intake.procurement_provider_id is not set"))
        }
        nextLookup += 1
        let serial = nextLookup
        lookups[serial] = Lookup(record: record, event: event)
        let returnAddress = outbox.scheduler
        resolver.resolve(name) { resolution in
            returnAddress { handler, outbox in handler.finishLookup(serial, resolution, outbox: outbox) }
        }
        return .deferred
    }

    /// On the shard's thread: publishes or dead-letters a held record with its lookup's answer.
    private func finishLookup(_ serial: UInt64, _ resolution: EntitlementResolver.Resolution, outbox: ShardOutbox<IntakeHandler>) {
        guard let lookup = lookups.removeValue(forKey: serial) else { return }
        switch resolution {
        case .found(let answer):
            do throws(Rejection) {
                outbox.settle(lookup.record, publish(try lookup.event.resolved(by: answer), for: lookup.record, outbox: outbox))
            } catch {
                outbox.settle(lookup.record, outbox.deadLetter(lookup.record, error))
            }
        case .unresolvable(let reason):
            outbox.settle(lookup.record, outbox.deadLetter(lookup.record, Rejection(code: .entitlementUnresolvable, message: reason)))
        case .cancelled:
            // Only when the worker stops: the record stays unfinished and its offset uncommitted, so the next start
            // reads it again. Held, it keeps the drain waiting until the shutdown budget ends it.
            break
        }
    }
}

extension WorkerMetrics.EventFormat {
    init(_ format: EventFormat) {
        switch format {
        case .signal: self = .signal
        case .marketplace: self = .marketplace
        case .monitoring: self = .monitoring
        }
    }
}
