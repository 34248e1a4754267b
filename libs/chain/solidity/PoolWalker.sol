// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface IPoolBondingManager {
    function getFirstTranscoderInPool() external view returns (address);
    function getNextTranscoderInPool(address transcoder) external view returns (address);
    function transcoderTotalStake(address transcoder) external view returns (uint256);
    function isActiveTranscoder(address transcoder) external view returns (bool);
    function transcoderStatus(address transcoder) external view returns (uint8);
}

interface IPoolServiceRegistry {
    function getServiceURI(address addr) external view returns (string memory);
}

/// Never deployed: lpts places this runtime code at a scratch address through an eth_call state
/// override, so one call walks the transcoder pool and reads every member (libs/chain pool-reader).
contract PoolWalker {
    function walk(address bondingManager, address serviceRegistry, uint256 maxMembers)
        external
        view
        returns (
            bool complete,
            address[] memory members,
            uint256[] memory stakes,
            bool[] memory active,
            uint8[] memory status,
            string[] memory uris
        )
    {
        IPoolBondingManager bm = IPoolBondingManager(bondingManager);
        address[] memory found = new address[](maxMembers);
        uint256 n = 0;
        address cur = bm.getFirstTranscoderInPool();
        while (cur != address(0) && n < maxMembers) {
            found[n] = cur;
            n++;
            cur = bm.getNextTranscoderInPool(cur);
        }
        complete = cur == address(0);
        members = new address[](n);
        stakes = new uint256[](n);
        active = new bool[](n);
        status = new uint8[](n);
        uris = new string[](n);
        for (uint256 i = 0; i < n; i++) {
            address t = found[i];
            members[i] = t;
            stakes[i] = bm.transcoderTotalStake(t);
            active[i] = bm.isActiveTranscoder(t);
            status[i] = bm.transcoderStatus(t);
            uris[i] = IPoolServiceRegistry(serviceRegistry).getServiceURI(t);
        }
    }
}
