using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Honest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ClockOffsetSeconds",
                table: "devices",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClockSkewedSince",
                table: "devices",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClockOffsetSeconds",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "ClockSkewedSince",
                table: "devices");
        }
    }
}
