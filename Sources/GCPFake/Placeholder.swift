// The loopback fake; see GCPFake.swift.
