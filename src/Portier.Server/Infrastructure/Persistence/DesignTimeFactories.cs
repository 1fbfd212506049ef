using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portier.Server.Infrastructure.Persistence;

public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePortierDbContext>
{
    public SqlitePortierDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePortierDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPortierDbContext>
{
    public PostgresPortierDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPortierDbContext>().UseNpgsql("Host=localhost;Database=portier").Options);
}
