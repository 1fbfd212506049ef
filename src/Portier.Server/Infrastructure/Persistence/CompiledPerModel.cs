using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// A query compiled once per EF Core model (<c>EF.CompileAsyncQuery</c>),
/// for queries the hot paths run so often that finding their translation again each time shows in a profile.
/// A compiled query refuses a context of another model, and each server host builds its own (the SQLite
/// and PostgreSQL contexts differ; tests run several hosts in one process), so the compiled form is kept per model.
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = new();

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(DbContext db) => _byModel.GetValue(db.Model, _ => compile());
}
