namespace Portier.Server.Features.AccessLog;

/// <summary>
/// PostgreSQL privileges for the role the server runs as: everything it needs, but no UPDATE,
/// DELETE or TRUNCATE on the access log or the admin audit trail, and no DELETE or TRUNCATE on the
/// chain heads, which a trigger lets move only forward (whoever updates them; only the table's owner
/// can drop the trigger). Migrations run as the owning role; the server connects as this one, so even a
/// compromised server can neither rewrite history nor hide its newest rows (the hash chains and
/// their heads detect an owner who does). Run as the owner after every migration that adds tables.
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
            REVOKE UPDATE, DELETE, TRUNCATE ON access_events, audit_entries FROM {role};
            REVOKE UPDATE, DELETE, TRUNCATE ON access_events, audit_entries FROM PUBLIC;
            REVOKE DELETE, TRUNCATE ON chain_heads FROM {role};
            REVOKE DELETE, TRUNCATE ON chain_heads FROM PUBLIC;
            CREATE OR REPLACE FUNCTION portier_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW."Chain" IS DISTINCT FROM OLD."Chain" OR NEW."ScopeId" IS DISTINCT FROM OLD."ScopeId"
                    OR NEW."Sequence" <= OLD."Sequence" THEN
                    RAISE EXCEPTION 'chain head % % may only move forward (from % to %)', OLD."Chain", OLD."ScopeId", OLD."Sequence", NEW."Sequence"
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
            $$;
            DROP TRIGGER IF EXISTS chain_heads_forward_only ON chain_heads;
            CREATE TRIGGER chain_heads_forward_only BEFORE UPDATE ON chain_heads
                FOR EACH ROW EXECUTE FUNCTION portier_chain_head_forward_only();
            """;
    }
}
