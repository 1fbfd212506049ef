using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Portier.Server.Infrastructure.Persistence;

public static class DbErrors
{
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

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
