using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Portier.Server.Infrastructure.Persistence;

public static class DbErrors
{
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCantOpen = 14;

    /// <summary>PostgreSQL states that mean "not now" rather than "not this": a lock not granted in time, a cancelled statement, a server going away or full.</summary>
    private static readonly HashSet<string> PostgresUnavailable =
    [
        PostgresErrorCodes.LockNotAvailable, PostgresErrorCodes.QueryCanceled, PostgresErrorCodes.AdminShutdown,
        PostgresErrorCodes.CrashShutdown, PostgresErrorCodes.CannotConnectNow, PostgresErrorCodes.TooManyConnections,
    ];

    /// <summary>
    /// True when the database did not answer in time or could not be reached, on either provider and
    /// however the error was wrapped: SQLite busy or locked (another process holds the file), a
    /// PostgreSQL lock or statement timeout, a refused or broken connection, an exhausted pool.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteCantOpen:
                    return true;
                case PostgresException postgres:
                    return PostgresUnavailable.Contains(postgres.SqlState) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal);
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
            }
        }
        return false;
    }

    /// <summary>True when a save failed on a unique index or a primary key, on either provider.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => IsUniqueViolation(exception.InnerException);

    /// <summary>
    /// True when a statement failed on a unique index or a primary key, on either provider: thrown as
    /// is by raw SQL (<see cref="RowAppender"/>), or inside a <see cref="DbUpdateException"/> by a save.
    /// </summary>
    public static bool IsUniqueViolation(Exception? exception) => exception switch
    {
        DbUpdateException update => IsUniqueViolation(update.InnerException),
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// Saves, answering false instead of throwing when a unique index refused the change: the
    /// check-then-insert race every "already taken" answer has. The tracked changes are dropped.
    /// </summary>
    public static async Task<bool> TrySaveUniqueAsync(this DbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
