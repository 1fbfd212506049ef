using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// The canonical text a chained row is hashed over: each field length-prefixed (<c>len:value;</c>,
/// <c>-:;</c> for null), so no value can imitate a field boundary, then SHA-256 as lowercase hex.
/// </summary>
public sealed class ChainText
{
    /// <summary>The "previous hash" of a chain's first row.</summary>
    public static readonly string Genesis = new('0', 64);

    private readonly StringBuilder _text = new(512);

    public ChainText Field(string? value)
    {
        _text.Append(value?.Length.ToString(CultureInfo.InvariantCulture) ?? "-").Append(':').Append(value).Append(';');
        return this;
    }

    public ChainText Field(Guid value) => Field(value.ToString("D"));

    public ChainText Field(Guid? value) => Field(value?.ToString("D"));

    public ChainText Field(long value) => Field(value.ToString(CultureInfo.InvariantCulture));

    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_text.ToString())));
}

/// <summary>Reads and moves <see cref="ChainHead"/>s inside the caller's transaction.</summary>
public static class ChainHeads
{
    /// <summary>
    /// The chain's head, or null when it has none yet. With <paramref name="lockRow"/> the head is
    /// read for update: on PostgreSQL the row stays locked until the transaction ends, so writers of
    /// the same chain on every node take turns (SQLite's write transaction already excludes them).
    /// </summary>
    public static async Task<ChainHead?> ReadAsync(PortierDbContext db, string chain, Guid scopeId, bool lockRow, CancellationToken ct)
    {
        if (!lockRow || db.Database.IsSqlite())
            return await db.Set<ChainHead>().AsNoTracking().FirstOrDefaultAsync(h => h.Chain == chain && h.ScopeId == scopeId, ct);
        return (await db.Set<ChainHead>().FromSqlRaw(SelectForUpdate(db), chain, scopeId).AsNoTracking().ToListAsync(ct)).FirstOrDefault();
    }

    /// <summary>The synchronous <see cref="ReadAsync"/>, for synchronous saves.</summary>
    public static ChainHead? Read(PortierDbContext db, string chain, Guid scopeId, bool lockRow)
    {
        if (!lockRow || db.Database.IsSqlite())
            return db.Set<ChainHead>().AsNoTracking().FirstOrDefault(h => h.Chain == chain && h.ScopeId == scopeId);
        return db.Set<ChainHead>().FromSqlRaw(SelectForUpdate(db), chain, scopeId).AsNoTracking().ToList().FirstOrDefault();
    }

    /// <summary>PostgreSQL's locking read of one head; <c>{0}</c> the chain, <c>{1}</c> the scope.</summary>
    private static string SelectForUpdate(PortierDbContext db)
    {
        var heads = StoreTable.Of<ChainHead>(db);
        return "SELECT * FROM " + heads.Name + " WHERE " + heads.Column(nameof(ChainHead.Chain)) + " = {0} AND "
            + heads.Column(nameof(ChainHead.ScopeId)) + " = {1} FOR UPDATE";
    }

    /// <summary>
    /// Reads the chain's head for update (see <see cref="ReadAsync"/>), first giving a chain that has
    /// none an empty head (sequence 0), so even a chain's first writers on several nodes take turns on
    /// one row. The caller's transaction must be open.
    /// </summary>
    public static async Task<ChainHead> LockAsync(PortierDbContext db, string chain, Guid scopeId, CancellationToken ct)
    {
        if (await ReadAsync(db, chain, scopeId, lockRow: true, ct) is { } head) return head;
        var (sql, arguments) = InsertEmpty(db, chain, scopeId);
        await db.Database.ExecuteSqlRawAsync(sql, arguments, ct);
        return await ReadAsync(db, chain, scopeId, lockRow: true, ct) ?? throw new InvalidOperationException($"The head of chain {chain} could not be created.");
    }

    /// <summary>The synchronous <see cref="LockAsync"/>, for synchronous saves.</summary>
    public static ChainHead Lock(PortierDbContext db, string chain, Guid scopeId)
    {
        if (Read(db, chain, scopeId, lockRow: true) is { } head) return head;
        var (sql, arguments) = InsertEmpty(db, chain, scopeId);
        db.Database.ExecuteSqlRaw(sql, arguments);
        return Read(db, chain, scopeId, lockRow: true) ?? throw new InvalidOperationException($"The head of chain {chain} could not be created.");
    }

    private static (string Sql, IReadOnlyList<object> Arguments) InsertEmpty(PortierDbContext db, string chain, Guid scopeId)
    {
        var heads = StoreTable.Of<ChainHead>(db);
        var arguments = new SqlArguments();
        var sql = "INSERT INTO " + heads.Name + " (" + heads.Column(nameof(ChainHead.Chain)) + ", " + heads.Column(nameof(ChainHead.ScopeId)) + ", "
            + heads.Column(nameof(ChainHead.Sequence)) + ", " + heads.Column(nameof(ChainHead.Hash)) + ") VALUES ("
            + arguments.Add(chain) + ", " + arguments.Add(scopeId) + ", " + arguments.Add(0L) + ", " + arguments.Add(ChainText.Genesis) + ") ON CONFLICT DO NOTHING";
        return (sql, arguments.Values);
    }

    /// <summary>Sets each head (inserting a chain's first); the caller's transaction must be open.</summary>
    public static async Task AdvanceAsync(PortierDbContext db, IEnumerable<ChainHead> heads, CancellationToken ct)
    {
        foreach (var head in heads)
        {
            var (sql, arguments) = Upsert(db, head);
            await db.Database.ExecuteSqlRawAsync(sql, arguments, ct);
        }
    }

    /// <summary>The synchronous <see cref="AdvanceAsync"/>, for synchronous saves.</summary>
    public static void Advance(PortierDbContext db, ChainHead head)
    {
        var (sql, arguments) = Upsert(db, head);
        db.Database.ExecuteSqlRaw(sql, arguments);
    }

    private static (string Sql, IReadOnlyList<object> Arguments) Upsert(PortierDbContext db, ChainHead head)
    {
        var heads = StoreTable.Of<ChainHead>(db);
        var (chain, scope, sequence, hash) = (heads.Column(nameof(ChainHead.Chain)), heads.Column(nameof(ChainHead.ScopeId)),
            heads.Column(nameof(ChainHead.Sequence)), heads.Column(nameof(ChainHead.Hash)));
        var arguments = new SqlArguments();
        var sql = "INSERT INTO " + heads.Name + " (" + chain + ", " + scope + ", " + sequence + ", " + hash + ") VALUES ("
            + arguments.Add(head.Chain) + ", " + arguments.Add(head.ScopeId) + ", " + arguments.Add(head.Sequence) + ", " + arguments.Add(head.Hash)
            + ") ON CONFLICT (" + chain + ", " + scope + ") DO UPDATE SET " + sequence + " = excluded." + sequence + ", " + hash + " = excluded." + hash;
        return (sql, arguments.Values);
    }
}

/// <summary>What is wrong with a chain, as its stable code.</summary>
public enum ChainProblem
{
    /// <summary><c>hash_mismatch</c>: the row's fields or its predecessor's hash were changed.</summary>
    HashMismatch,
    /// <summary><c>sequence_gap</c>: a row is missing (deleted) before this one.</summary>
    SequenceGap,
    /// <summary><c>missing_tail</c>: the head names a newer row than the last one there; the newest rows were deleted.</summary>
    MissingTail,
    /// <summary><c>head_mismatch</c>: the last row is not the one the head names (it was replaced).</summary>
    HeadMismatch,
    /// <summary><c>missing_head</c>: rows exist but the chain's head was removed.</summary>
    MissingHead,
}

/// <summary>Where a chain first fails: the sequence, the row there (none for a missing tail or head), and why.</summary>
public sealed record ChainBreak(long Sequence, Guid? RowId, ChainProblem Problem)
{
    public string Code => Problem switch
    {
        ChainProblem.HashMismatch => "hash_mismatch",
        ChainProblem.SequenceGap => "sequence_gap",
        ChainProblem.MissingTail => "missing_tail",
        ChainProblem.HeadMismatch => "head_mismatch",
        ChainProblem.MissingHead => "missing_head",
    };
}

/// <summary>
/// Walks one chain's rows in sequence order against the head read before them (rows past that head
/// were appended meanwhile and are not judged): each row must follow the one before, hash as stored,
/// and the last must be the head.
/// </summary>
public sealed class ChainWalk(ChainHead? head)
{
    private string _previous = ChainText.Genesis;
    private Guid? _last;

    /// <summary>Rows whose links held.</summary>
    public long Checked { get; private set; }

    /// <summary>The rows to walk: none past the head (appended after it was read).</summary>
    public long? Through => head?.Sequence;

    /// <summary>Checks the next row; returns the break it shows, if any (the walk then ends).</summary>
    public ChainBreak? Next(Guid id, long sequence, string storedHash, Func<string, string> hashWithPrevious)
    {
        if (sequence != Checked + 1) return new ChainBreak(sequence, id, ChainProblem.SequenceGap);
        if (hashWithPrevious(_previous) != storedHash) return new ChainBreak(sequence, id, ChainProblem.HashMismatch);
        _previous = storedHash;
        _last = id;
        Checked++;
        return null;
    }

    /// <summary>After the last row: the tail must reach the head, and end in it.</summary>
    public ChainBreak? End()
    {
        if (head is null) return Checked > 0 ? new ChainBreak(Checked, _last, ChainProblem.MissingHead) : null;
        if (Checked < head.Sequence) return new ChainBreak(Checked + 1, null, ChainProblem.MissingTail);
        return _previous != head.Hash ? new ChainBreak(head.Sequence, _last, ChainProblem.HeadMismatch) : null;
    }
}
