using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// One entity type's table and column names as the EF Core model maps them, delimited for the
/// provider: hand-written SQL takes its names from here, so a renamed table, column or property fails
/// the first statement built (and the tests running it) instead of a statement at run time.
/// </summary>
public sealed class StoreTable
{
    private readonly FrozenDictionary<string, string> _columns;

    private StoreTable(IEntityType entityType, ISqlGenerationHelper sql)
    {
        var table = StoreObjectIdentifier.Table(
            entityType.GetTableName() ?? throw new InvalidOperationException($"{entityType.DisplayName()} is not mapped to a table."),
            entityType.GetSchema());
        Name = sql.DelimitIdentifier(table.Name, table.Schema);
        _columns = entityType.GetProperties()
            .Select(p => (p.Name, Column: p.GetColumnName(table)))
            .Where(p => p.Column is not null)
            .ToFrozenDictionary(p => p.Name, p => sql.DelimitIdentifier(p.Column!), StringComparer.Ordinal);
    }

    /// <summary>The delimited table name (with its schema, if any).</summary>
    public string Name { get; }

    /// <summary>The delimited column of <paramref name="property"/>; throws when the model maps no such property.</summary>
    public string Column(string property) =>
        _columns.TryGetValue(property, out var column) ? column
            : throw new InvalidOperationException($"The model maps no column for property {property} of table {Name}.");

    private static readonly ConcurrentDictionary<IEntityType, StoreTable> Tables = new();

    /// <summary>The names of <typeparamref name="T"/> in <paramref name="db"/>'s model, computed once per model.</summary>
    public static StoreTable Of<T>(PortierDbContext db) where T : class
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not part of the model.");
        return Tables.GetOrAdd(entityType, static (type, helper) => new StoreTable(type, helper), db.GetService<ISqlGenerationHelper>());
    }
}
