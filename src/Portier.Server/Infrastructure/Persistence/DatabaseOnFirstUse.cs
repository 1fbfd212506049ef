namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// The scope's <see cref="PortierDbContext"/>, rented from the pool only when first asked for. Most card
/// scans and explanations read nothing from the database (an ordinary door, an unlimited card), and a
/// pooled context costs its renting and its reset on return even when no query ran.
/// </summary>
public sealed class DatabaseOnFirstUse(IServiceProvider services)
{
    private PortierDbContext? _context;

    public PortierDbContext Context => _context ??= services.GetRequiredService<PortierDbContext>();
}
