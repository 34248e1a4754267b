// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Manager} from "./Manager.sol";

/// Per-address service URI store. Deployed twice: ServiceRegistry (registered) and AIServiceRegistry (not).
contract ServiceRegistry is Manager {
    mapping(address => string) private uris;

    event ServiceURIUpdate(address indexed addr, string serviceURI);

    constructor(address _controller) Manager(_controller) {}

    function setServiceURI(string calldata _serviceURI) external {
        uris[msg.sender] = _serviceURI;
        emit ServiceURIUpdate(msg.sender, _serviceURI);
    }

    function getServiceURI(address _addr) external view returns (string memory) {
        return uris[_addr];
    }
}
