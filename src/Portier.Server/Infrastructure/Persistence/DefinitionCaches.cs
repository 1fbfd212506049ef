namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// A value kept in memory and built from the entities that carry <see cref="DefinitionMarker"/>. After
/// a committed save that adds, deletes or changes such an entity (other than its <see cref="LiveFactAttribute"/>
/// properties), <see cref="DefinitionChangeInterceptor"/> calls <see cref="MarkChanged"/>.
/// </summary>
public interface IDefinitionCache
{
    /// <summary>
    /// Names the value across nodes: a change announced under this name marks it stale on every node
    /// (see <see cref="Changes.NodeNoticeListener"/>). Stable across versions and unique.
    /// </summary>
    string Name { get; }

    /// <summary>The marker interface every entity this value is built from implements.</summary>
    Type DefinitionMarker { get; }

    void MarkChanged();
}

/// <summary>
/// A property that changes on every pass (a zone's count, a credential's use count, a controller's
/// heartbeat): read or noted as it happens, so a change to it alone never rebuilds a definition cache.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class LiveFactAttribute : Attribute;

/// <summary>Lets a value built from more than one kind of definition follow a second marker as well.</summary>
public sealed class AlsoChangedBy(string name, Type marker, Action markChanged) : IDefinitionCache
{
    public string Name => name;

    public Type DefinitionMarker => marker;

    public void MarkChanged() => markChanged();
}

/// <summary>One saved row of a definition entity: its type, its key (null unless a single Guid) and whether it was deleted.</summary>
public readonly record struct DefinitionRowChange(Type EntityType, Guid? Id, bool Deleted);

/// <summary>
/// A definition cache that can update itself from the rows a commit changed instead of being rebuilt whole.
/// <see cref="DefinitionChangeInterceptor"/> calls <see cref="RowsChanged"/> in place of <see cref="IDefinitionCache.MarkChanged"/>
/// for this node's own commits, and <see cref="Changes.NodeChanges"/> for another node's commit announced with its rows;
/// any other news of a change arrives as <see cref="IDefinitionCache.MarkChanged"/>.
/// </summary>
public interface IRowPatchedCache : IDefinitionCache
{
    void RowsChanged(IReadOnlyList<DefinitionRowChange> rows);
}

public static class RowPatchedCaches
{
    /// <summary>Hands the cache those of <paramref name="rows"/> its definitions are built from, and returns them.</summary>
    public static DefinitionRowChange[] PatchWith(this IRowPatchedCache cache, IEnumerable<DefinitionRowChange> rows)
    {
        DefinitionRowChange[] own = [.. rows.Where(r => cache.DefinitionMarker.IsAssignableFrom(r.EntityType))];
        cache.RowsChanged(own);
        return own;
    }
}
