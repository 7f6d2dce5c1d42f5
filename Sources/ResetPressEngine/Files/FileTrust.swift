import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether a site file (a setting, a hook, a template) or a folder holding one may be
/// trusted, in the spirit of OpenSSH's `StrictModes`: these files decide where reset links point and
/// who receives a code, so a file another local user could rewrite must not decide it.
///
/// A path is trusted when it exists and
/// - this process's user or root owns it, and
/// - no other user may write it: it is not writable by others, and writable by its group only when
///   that group is the owner's own (the owner's primary group with no other member, as a umask of
///   002 gives on distributions with a group per user; Debian's OpenSSH accepts the same).
///
/// `stat` follows symbolic links, so a link is judged by what it leads to. The check is off where
/// ``environmentVariable`` is `off` (a container whose files a platform mounts with other owners).
public struct FileTrust: Sendable {
    /// `RESETPRESS_STRICT_MODES`: `off` (or `0`, `false`, `no`) turns the checks off; they are on by default.
    public static let environmentVariable = "RESETPRESS_STRICT_MODES"

    /// Whether the checks run.
    public let isStrict: Bool

    /// The policy `environment` asks for: strict unless ``environmentVariable`` turns it off.
    public init(environment: [String: String]) {
        let value = environment[Self.environmentVariable]?.lowercased() ?? ""
        isStrict = !["off", "0", "false", "no"].contains(value)
    }

    /// A policy that checks (`true`) or trusts everything (`false`).
    public init(strict: Bool) {
        isStrict = strict
    }

    /// Why the file or folder at `path` is not trusted, naming it as `shown` and giving the command
    /// that fixes it; nil when it is trusted, missing, or the checks are off.
    public func problem(at path: String, shown: String? = nil) -> String? {
        guard isStrict else { return nil }
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let name = shown ?? path
        let owner = geteuid()
        let mode = String(status.st_mode & 0o7777, radix: 8)
        let advice = "or set \(Self.environmentVariable)=off where a platform mounts the site's files"
        if status.st_uid != owner && status.st_uid != 0 {
            return "\(name) is owned by uid \(status.st_uid), not by this user (uid \(owner)) or root, so another user may change it: "
                + "run `chown \(owner) \(path)`, \(advice)."
        }
        if status.st_mode & S_IWOTH != 0 || (status.st_mode & S_IWGRP != 0 && !Self.isOwnersOwnGroup(status)) {
            return "\(name) is mode \(mode): other users may write it and so decide where reset codes go; "
                + "run `chmod go-w \(path)`, \(advice)."
        }
        return nil
    }

    /// The first problem among `path` and the folders from `root` down to it (`root` included), each
    /// named relative to `root`'s parent folder's view of the site (`settings/zz.json`).
    public func problem(inSite root: URL, at path: URL) -> String? {
        guard isStrict else { return nil }
        let rootPath = root.standardizedFileURL.path
        let full = path.standardizedFileURL.path
        var chain = [rootPath]
        if full.hasPrefix(rootPath + "/") {
            var current = rootPath
            for component in full.dropFirst(rootPath.count + 1).split(separator: "/") {
                current += "/\(component)"
                chain.append(current)
            }
        } else {
            chain = [full]
        }
        for candidate in chain {
            let shown = candidate == rootPath ? "the site folder \(rootPath)" : Self.relative(candidate, to: rootPath)
            if let problem = problem(at: candidate, shown: shown) { return problem }
        }
        return nil
    }

    /// The first problem in the folder `directory` of the site at `root`: the folder itself, the
    /// folders above it up to `root`, and every file and folder below it.
    public func problem(inTree directory: URL, site root: URL) -> String? {
        guard isStrict, FileManager.default.fileExists(atPath: directory.path) else { return nil }
        if let problem = problem(inSite: root, at: directory) { return problem }
        let rootPath = root.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return nil }
        for case let relative as String in walker {
            let path = directory.appendingPathComponent(relative).standardizedFileURL.path
            if let problem = problem(at: path, shown: Self.relative(path, to: rootPath)) { return problem }
        }
        return nil
    }

    /// `path` relative to `root` when below it.
    private static func relative(_ path: String, to root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// Whether the file's group is its owner's primary group and has no other member.
    private static func isOwnersOwnGroup(_ status: stat) -> Bool {
        var user = passwd()
        var userResult: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwuid_r(status.st_uid, &user, &buffer, buffer.count, &userResult) == 0, userResult != nil,
              user.pw_gid == status.st_gid
        else { return false }
        let ownerName = String(cString: user.pw_name)
        var entry = group()
        var groupResult: UnsafeMutablePointer<group>?
        var groupBuffer = [CChar](repeating: 0, count: 64 * 1024)
        guard getgrgid_r(status.st_gid, &entry, &groupBuffer, groupBuffer.count, &groupResult) == 0, groupResult != nil else {
            return false
        }
        var member = entry.gr_mem
        while let name = member?.pointee {
            if String(cString: name) != ownerName { return false }
            member = member?.advanced(by: 1)
        }
        return true
    }
}
