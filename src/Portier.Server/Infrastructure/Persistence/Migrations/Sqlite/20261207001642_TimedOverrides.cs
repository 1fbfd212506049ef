using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TimedOverrides : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "OverrideMode",
                table: "doors",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "OverrideSetAt",
                table: "doors",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OverrideSetBy",
                table: "doors",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "OverrideUntil",
                table: "doors",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "OverrideMode",
                table: "doors");

            migrationBuilder.DropColumn(
                name: "OverrideSetAt",
                table: "doors");

            migrationBuilder.DropColumn(
                name: "OverrideSetBy",
                table: "doors");

            migrationBuilder.DropColumn(
                name: "OverrideUntil",
                table: "doors");
        }
    }
}
