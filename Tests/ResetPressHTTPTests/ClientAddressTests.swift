import Hummingbird
import HummingbirdTesting
import Testing

@testable import ResetPressHTTP

struct ClientAddressTests {
    @Test func parsesCIDRs() throws {
        #expect(CIDR("10.0.0.0/8")?.description == "10.0.0.0/8")
        #expect(CIDR("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(CIDR("192.168.1.7")?.description == "192.168.1.7/32")
        #expect(CIDR("::1")?.description == "::1/128")
        #expect(CIDR("2001:DB8::1/32")?.description == "2001:db8::/32")
        #expect(CIDR("fe80::1%eth0/64")?.description == "fe80::/64")
        #expect(CIDR("::ffff:10.0.0.1/104")?.description == "::ffff:a00:0/104")
        #expect(CIDR("0.0.0.0/0")?.prefixLength == 0)
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "10.0.0.256", "010.0.0.1", "10.0.0.0/", "10.0.0.0/-1", "::1/129",
            "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::g", "host.example", "10.0.0.0/8/8", "1.2.3.4 /8"]
        {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }

    @Test func matchesIPv4() throws {
        let net = try #require(CIDR("10.0.0.0/8"))
        #expect(net.contains("10.255.1.2"))
        #expect(!net.contains("11.0.0.1"))
        #expect(net.contains("::ffff:10.1.1.1"))
        #expect(!net.contains("::1"))
        #expect(!net.contains("garbage"))
        let odd = try #require(CIDR("192.168.0.128/25"))
        #expect(odd.contains("192.168.0.200"))
        #expect(!odd.contains("192.168.0.127"))
        #expect(try #require(CIDR("0.0.0.0/0")).contains("8.8.8.8"))
    }

    @Test func matchesIPv6() throws {
        let net = try #require(CIDR("2001:db8::/32"))
        #expect(net.contains("2001:db8:ffff::1"))
        #expect(net.contains("[2001:0db8:0000::0001]"))
        #expect(!net.contains("2001:db9::1"))
        #expect(!net.contains("10.0.0.1"))
        #expect(try #require(CIDR("::1/128")).contains("::1"))
        #expect(try #require(CIDR("::ffff:0:0/96")).contains("10.0.0.1"))
        #expect(try #require(CIDR("fd00::/8")).contains("fd12:3456:789a:1::1"))
    }

    @Test func untrustedPeerIgnoresForwardedFor() {
        let proxies = [CIDR("10.0.0.0/8")].compactMap { $0 }
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: "1.1.1.1", trustedProxies: proxies) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: "1.1.1.1", trustedProxies: []) == "10.0.0.1")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: nil, trustedProxies: proxies) == "10.0.0.1")
    }

    @Test func walksForwardedForFromTheRight() {
        let proxies = ["10.0.0.0/8", "::1", "2001:db8::/32"].compactMap(CIDR.init)
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: "6.6.6.6, 1.2.3.4, 10.0.0.2", trustedProxies: proxies) == "1.2.3.4")
        #expect(ClientAddress.resolve(peer: "::1", forwardedFor: "[2001:db9::7]:443, 2001:db8::5", trustedProxies: proxies) == "2001:db9::7")
        #expect(ClientAddress.resolve(peer: "::ffff:10.0.0.1", forwardedFor: "1.2.3.4:5678", trustedProxies: proxies) == "1.2.3.4")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: "10.0.0.3, 10.0.0.2", trustedProxies: proxies) == "10.0.0.3")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: "1.2.3.4, unknown, 10.0.0.2", trustedProxies: proxies) == "10.0.0.2")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: "garbage", trustedProxies: proxies) == "10.0.0.1")
    }

    @Test func contextResolvesTheClientInRouterTests() async throws {
        let router = Router(context: ResetPressRequestContext.self)
        let trusted = [CIDR("127.0.0.1")].compactMap { $0 }
        router.get("/ip") { request, context in
            context.clientIP(for: request, trustedProxies: trusted) + " " + context.clientIP(for: request, trustedProxies: [])
        }
        let app = Application(responder: router.buildResponder())
        try await app.test(.router) { client in
            try await client.execute(uri: "/ip", method: .get, headers: [.xForwardedFor: "9.9.9.9, 8.8.8.8"]) { response in
                #expect(text(of: response) == "8.8.8.8 127.0.0.1")
            }
        }
    }

    @Test func liveContextKnowsThePeer() async throws {
        let router = Router(context: ResetPressRequestContext.self)
        router.get("/peer") { _, context in context.peerIP }
        let app = Application(responder: router.buildResponder(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await client.execute(uri: "/peer", method: .get) { response in
                // HummingbirdTesting listens on `localhost`: 127.0.0.1, or ::1 where /etc/hosts says so (Debian).
                #expect(["127.0.0.1", "::1"].contains(text(of: response)))
            }
        }
    }
}
