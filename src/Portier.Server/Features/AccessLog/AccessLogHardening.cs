namespace Portier.Server.Features.AccessLog;

/// <summary>
/// PostgreSQL privileges for the role the server runs as: everything it needs, but no UPDATE,
/// DELETE or TRUNCATE on the access log. Migrations run as the owning role; the server connects
/// as this one, so even a compromised server cannot rewrite history (the hash chain detects an
/// owner who does).
/// </summary>
public static class AccessLogHardening
{
    public static string PostgresAppRoleSql(string role)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(role, "^[a-z_][a-z0-9_]{0,62}$"))
            throw new ArgumentException("A role name is lowercase letters, digits and underscores.", nameof(role));
        return $"""
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            REVOKE UPDATE, DELETE, TRUNCATE ON access_events FROM {role};
            REVOKE UPDATE, DELETE, TRUNCATE ON access_events FROM PUBLIC;
            """;
    }
}
