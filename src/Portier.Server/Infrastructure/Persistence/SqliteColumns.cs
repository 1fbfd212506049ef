using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Column reads of a stepped SQLite statement through its native handle. SQLitePCL's own calls take the statement as a
/// SafeHandle and add and release a reference on every call: an eighth of the snapshot load's CPU went there. The
/// caller keeps the statement's handle open while it reads.
/// </summary>
internal static class SqliteColumns
{
    // The library SQLitePCL's bundled provider loads, so these calls reach the same SQLite.
    private const string Library = "e_sqlite3";

    /// <summary>The column's bytes as SQLite holds them (text as UTF-8), valid until the statement steps on.</summary>
    public static ReadOnlySpan<byte> Bytes(nint statement, int column)
    {
        // The data first, then its length: SQLite's documented order, so no conversion moves the data in between.
        var data = sqlite3_column_blob(statement, column);
        var length = sqlite3_column_bytes(statement, column);
        return length == 0 ? default : MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), data), length);
    }

    public static int Type(nint statement, int column) => sqlite3_column_type(statement, column);

    public static long Int64(nint statement, int column) => sqlite3_column_int64(statement, column);

    [DllImport(Library, ExactSpelling = true)]
    private static extern nint sqlite3_column_blob(nint statement, int column);

    [DllImport(Library, ExactSpelling = true)]
    private static extern int sqlite3_column_bytes(nint statement, int column);

    [DllImport(Library, ExactSpelling = true)]
    private static extern int sqlite3_column_type(nint statement, int column);

    [DllImport(Library, ExactSpelling = true)]
    private static extern long sqlite3_column_int64(nint statement, int column);
}
