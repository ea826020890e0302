import { useQuery } from '@tanstack/react-query';
import type { Role } from '@quell/contracts/common';
import { authQueries } from '../api/auth-queries';

export function useMe() {
  return useQuery(authQueries.me());
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export function hasRole(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}
