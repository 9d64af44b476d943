/// Identifies a produced message to the shard that produced it, packed into the 64-bit opaque that librdkafka
/// hands back in the delivery report: no allocation per message.
///
/// Layout: bits 56–63 the shard, bits 0–55 a number the shard gives each message it produces.
struct OutputToken: Hashable {
    var shard: Int
    var serial: UInt64

    static let maximumShards = 256
    private static let serialBits: UInt64 = 56
    private static let serialMask: UInt64 = (1 << serialBits) - 1

    init(shard: Int, serial: UInt64) {
        precondition((0..<Self.maximumShards).contains(shard), "shard \(shard) out of range")
        self.shard = shard
        self.serial = serial & Self.serialMask
    }

    init(rawValue: UInt64) {
        shard = Int(rawValue >> Self.serialBits)
        serial = rawValue & Self.serialMask
    }

    var rawValue: UInt64 { UInt64(shard) << Self.serialBits | serial }
}
