import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import ResetPressHTTP

struct APIEnvelopeTests {
    @Test func successShape() {
        let json = APIEnvelope.successJSON(message: "Reset password email has been sent.")
        #expect(json.serialized() == #"{"success":true,"message":"Reset password email has been sent.","data":{"message":"Reset password email has been sent."}}"#)
        let extra = APIEnvelope.successJSON(message: "M", data: [("code", "123"), ("message", "N")])
        #expect(extra.serialized() == #"{"success":true,"message":"M","data":{"message":"N","code":"123"}}"#)
    }

    @Test func errorShape() {
        #expect(APIEnvelope.errorJSON(.invalidAuthCode(key: "AUTH_KEY")).serialized()
            == #"{"success":false,"data":{"message":"Invalid Auth Code ( AUTH_KEY ) provided.","errorCode":27,"error_code":27}}"#)
    }

    @Test func responsesCarryStatusContentTypeAndBody() async throws {
        let response = APIEnvelope.error(.tooManyRequests(retryAfter: 42))
        #expect(response.status == .tooManyRequests)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        #expect(response.headers[.retryAfter] == "42")
        let filtered = APIEnvelope.response(json: ["success": true, "custom": [1, 2]], status: .created)
        #expect(filtered.status == .created)
        #expect(filtered.headers[.contentType] == APIEnvelope.contentType)
    }

    @Test func everyErrorRow() {
        let rows: [(APIError, Int, HTTPResponse.Status, String)] = [
            (.resetNotAllowed, 56, .badRequest, "Reset Password is not allowed."),
            (.authCodeRequired, 94, .unauthorized, "Auth Code is required."),
            (.invalidAuthCode(key: "AUTH_KEY"), 27, .unauthorized, "Invalid Auth Code ( AUTH_KEY ) provided."),
            (.invalidAuthCode(key: "MY_CODE"), 27, .unauthorized, "Invalid Auth Code ( MY_CODE ) provided."),
            (.missingEmail, 63, .badRequest, "Missing email parameter."),
            (.invalidEmailRequest, 96, .badRequest, "Invalid email parameter."),
            (.invalidEmailChange, 95, .badRequest, "Invalid email parameter."),
            (.wrongUser, 64, .badRequest, "Wrong user."),
            (.missingEmailChange, 59, .badRequest, "Missing email parameter."),
            (.missingNewPassword, 61, .badRequest, "Missing new_password parameter."),
            (.missingCode, 60, .badRequest, "Missing code parameter."),
            (.invalidBase64, 63, .badRequest, "Parameter new_password does not contain a valid base64 text."),
            (.invalidCode, 62, .badRequest, "Invalid code provided."),
            (.passwordRule("Password must be at least 8 characters."), 121, .badRequest, "Password must be at least 8 characters."),
            (.malformedBody, 123, .badRequest, "Malformed request body."),
            (.bodyTooLarge, 124, .contentTooLarge, "Request body too large."),
            (.methodNotAllowed, 57, .methodNotAllowed, "Route called with invalid request method."),
            (.tooManyRequests, 120, .tooManyRequests, "Too many requests. Please try again later."),
            (.internalError, 1, .internalServerError, "Internal error."),
        ]
        for (error, code, status, message) in rows {
            #expect(error.code == code, "\(error)")
            #expect(error.status == status, "\(error)")
            #expect(error.message == message, "\(error)")
            #expect(APIEnvelope.errorJSON(error)["data"]?["error_code"] == .number(Double(code)))
        }
        #expect(APIError.tooManyRequests.headers[.retryAfter] == nil)
        #expect(APIError.tooManyRequests(retryAfter: 0).headers[.retryAfter] == "1")
        #expect(APIError.methodNotAllowed(allowing: [.post, .put]).headers[.allow] == "POST, PUT")
        #expect(ParameterError.malformed(reason: "x").apiError == .malformedBody)
        #expect(ParameterError.tooLarge(limit: 1).apiError == .bodyTooLarge)
    }

    @Test func thrownErrorsRenderTheEnvelope() async throws {
        let router = Router(context: ResetPressRequestContext.self)
        router.get("/limited") { _, _ -> Response in throw APIError.tooManyRequests(retryAfter: 30) }
        router.get("/malformed") { _, _ -> Response in throw ParameterError.malformed(reason: "internal detail") }
        router.get("/ok") { _, _ in APIEnvelope.success(message: "User Password has been changed.") }
        let app = Application(responder: router.buildResponder())
        try await app.test(.router) { client in
            try await client.execute(uri: "/limited", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "30")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(text(of: response)
                    == #"{"success":false,"data":{"message":"Too many requests. Please try again later.","errorCode":120,"error_code":120}}"#)
            }
            try await client.execute(uri: "/malformed", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(!text(of: response).contains("internal detail"))
                #expect(text(of: response).contains(#""errorCode":123"#))
            }
            try await client.execute(uri: "/ok", method: .get) { response in
                #expect(response.status == .ok)
                #expect(text(of: response)
                    == #"{"success":true,"message":"User Password has been changed.","data":{"message":"User Password has been changed."}}"#)
            }
        }
    }
}
