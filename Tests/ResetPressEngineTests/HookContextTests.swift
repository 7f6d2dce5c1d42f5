import Foundation
import Testing
@testable import ResetPressEngine

/// What a hook may see of a request's parameters.
@Suite struct HookContextTests {
    @Test func everySecretNameIsWithheldWhateverItsCase() {
        let secrets = [
            "code", "new_password", "confirm_password", "AUTH_KEY", "AUTH_CODE", "auth_key", "JWT", "jwt", "password", "Password2",
            "api_secret", "client_secret_v2", "link_token", "reset_code",
        ]
        let parameters = Dictionary(uniqueKeysWithValues: secrets.map { ($0, "value-of-\($0)") })
            .merging(["email": "ann@example.org", "locale": "fr"]) { $1 }
        let context = HookContext(parameters: parameters)
        #expect(context.parameters == ["email": "ann@example.org", "locale": "fr"])
    }

    @Test func aRenamedAuthKeyIsWithheldToo() throws {
        let parameters = ["email": "ann@example.org", "sesame": "open-sesame-42", "Sesame": "open-sesame-43", "plan": "pro"]
        let bare = HookContext(parameters: parameters)
        #expect(bare.parameters["sesame"] == "open-sesame-42")  // without the setting's name it looks harmless
        let context = HookContext(parameters: parameters, withholding: ["sesame"])
        #expect(context.parameters == ["email": "ann@example.org", "plan": "pro"])
        let json = String(decoding: try JSONEncoder().encode(context), as: UTF8.self)
        #expect(!json.contains("open-sesame"))
    }
}
