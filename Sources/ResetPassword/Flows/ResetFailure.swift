/// Why a reset request or password change was refused; each maps to one SJL error code.
public enum ResetFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// `reset_password.enabled` is off (56).
    case disabled
    /// The gate is on and no auth code was given (94).
    case authCodeRequired
    /// The auth code is wrong or expired (27); `key` is the parameter name expected.
    case invalidAuthCode(key: String)
    /// No email parameter (63 on a request, 59 on a change).
    case missingEmail
    /// The email is not an address (96 on a request, 95 on a change).
    case invalidEmail
    /// Unknown email, only with `reveal_unknown_users` (64).
    case wrongUser
    /// A change without `code` (60).
    case missingCode
    /// A change without `new_password` (61).
    case missingNewPassword
    /// `new_password` is not base64 while the option is on (63).
    case invalidBase64
    /// Any failure of the code or link token (62).
    case invalidCode
    /// The new password breaks a rule (121); the message names it.
    case passwordRule(String)
    /// Too many requests from one IP (120); seconds until it may try again.
    case rateLimited(retryAfter: Int)

    public var description: String {
        switch self {
        case .disabled: "Reset Password is not allowed."
        case .authCodeRequired: "Auth Code is required."
        case .invalidAuthCode(let key): "Invalid Auth Code ( \(key) ) provided."
        case .missingEmail: "Missing email parameter."
        case .invalidEmail: "Invalid email parameter."
        case .wrongUser: "Wrong user."
        case .missingCode: "Missing code parameter."
        case .missingNewPassword: "Missing new_password parameter."
        case .invalidBase64: "Parameter new_password does not contain a valid base64 text."
        case .invalidCode: "Invalid code provided."
        case .passwordRule(let message): message
        case .rateLimited: "Too many requests. Please try again later."
        }
    }
}
